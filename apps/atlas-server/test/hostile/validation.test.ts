/**
 * Hostile attribute values for the entity endpoints, against a real server process
 * (dist/main.js, standalone, SQLite) with the vt_* types (test/support/validation-types.ts):
 * numbers out of every range, numbers as odd strings, NaN and Infinity spelled out, prototype
 * keys, wrong shapes for lists, maps, structs and enums, many bad values at once. Each gets
 * either 200 with what Atlas would store, or Atlas's JSON error — never a stack trace, never a
 * 500 — nothing of a refused request is stored, and the server keeps serving.
 */
import { ATLAS_ADMIN_AUTH, atlasCall } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace } from "../support/raw-http.js";
import { startStandalone, type Standalone } from "../support/standalone.js";
import { thing, VALIDATION_TYPES } from "../support/validation-types.js";

const ENTITY = "/api/atlas/v2/entity";
const INVALID = { status: 404, errorCode: "ATLAS-404-00-007" };

/** [what, attributes of a vt_thing, the answer: INVALID, another Atlas error, or the stored values]. */
type Case = [
  string,
  Record<string, unknown>,
  { status: number; errorCode: string } | Record<string, unknown>,
];

const CASES: Case[] = [
  ["an int beyond 2^31", { i: 2 ** 31 }, INVALID],
  ["an int of a thousand digits", { i: "9".repeat(1000) }, INVALID],
  ["an int in hexadecimal", { i: "0x10" }, INVALID],
  ["an int with spaces", { i: " 12" }, INVALID],
  ["an int in Arabic-Indic digits", { i: "١٢" }, INVALID],
  ["an int with underscores", { i: "1_000" }, INVALID],
  ["an empty int", { i: "" }, INVALID],
  ["a sign alone", { i: "-" }, INVALID],
  ["an int as a list", { i: [1] }, INVALID],
  ["an int as an object", { i: { valueOf: 1 } }, INVALID],
  ["a byte of -129", { b: -129 }, INVALID],
  ["a long beyond 2^63 as a string", { l: "9223372036854775808" }, INVALID],
  // Long.MAX_VALUE as JSON reads as the double 2^63 in JavaScript: taken as Long.MAX_VALUE.
  ["a long of Long.MAX_VALUE as a number", { l: 2 ** 63 }, { l: 2 ** 63 }],
  ["a float spelled NaN", { f: "NaN" }, INVALID],
  ["a float spelled Infinity", { f: "Infinity" }, INVALID],
  ["a float beyond Float.MAX_VALUE", { f: 1e39 }, INVALID],
  ["a double written 1e999", { d: "1e999" }, INVALID],
  ["a double of -0", { d: -0 }, { d: 0 }],
  ["a bigdecimal as a word", { bd: "one" }, INVALID],
  ["a boolean as 1", { flag: 1 }, INVALID],
  ["a boolean as yes", { flag: "yes" }, INVALID],
  ["a date of 400 digits", { when: "9".repeat(400) }, INVALID],
  [
    "a date out of every calendar (lenient, as Java's)",
    { when: "2026-13-45T25:61:61.999Z" },
    { when: Date.UTC(2026, 12, 45, 25, 61, 61, 999) },
  ],
  ["a date as an object", { when: { year: 2026 } }, INVALID],
  ["an enum as a list", { level: ["HIGH"] }, INVALID],
  ["an enum named like a prototype key", { level: "__proto__" }, INVALID],
  ["an enum named toString", { level: "toString" }, INVALID],
  ["a list as a string", { tags: "[1,2]" }, INVALID],
  [
    "a list of 100 000 values over its maximum",
    { tags: Array.from({ length: 100_000 }, () => 1) },
    INVALID,
  ],
  ["a map as a list", { props: [1, 2] }, INVALID],
  ["a map value as an object", { props: { a: { b: 1 } } }, INVALID],
  ["a struct as a list", { point: [1, 2] }, { status: 400, errorCode: "ATLAS-400-00-025" }],
  ["a struct as a string", { point: "1,2" }, { status: 400, errorCode: "ATLAS-400-00-025" }],
  ["a struct field of the wrong type", { point: { x: { y: 1 } } }, INVALID],
  [
    "a struct without its mandatory field",
    { point: { typeName: "vt_point", attributes: {} } },
    INVALID,
  ],
  [
    "twenty thousand bad struct values",
    { points: Array.from({ length: 20_000 }, () => ({ x: "z" })) },
    INVALID,
  ],
  [
    "an attribute named __proto__",
    JSON.parse('{"__proto__": {"origin": null}, "constructor": 1}') as Record<string, unknown>,
    {},
  ],
  ["a mandatory attribute as an empty list", { origin: [] }, { origin: "[]" }],
];

describe("hostile attribute values (a standalone atlas-server on SQLite)", () => {
  let server: Standalone;
  const bodies: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await atlasCall(server.url, method, path, body);
    bodies.push(answer.text);
    return answer;
  };

  beforeAll(async () => {
    server = await startStandalone("hostile-validation");
    expect((await call("POST", "/api/atlas/v2/types/typedefs", VALIDATION_TYPES)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("answers each with what Atlas would store or with Atlas's error, and stores nothing of a refusal", async () => {
    for (const [index, [what, attributes, expected]] of CASES.entries()) {
      const name = `h${index}`;
      const answer = await call("POST", ENTITY, { entity: thing(name, attributes) });
      const read = await call(
        "GET",
        `${ENTITY}/uniqueAttribute/type/vt_thing?attr:qualifiedName=${name}@vt`,
      );
      if ("errorCode" in expected && "status" in expected) {
        expect({
          what,
          status: answer.status,
          errorCode: (answer.json as { errorCode?: string }).errorCode,
        }).toEqual({
          what,
          ...expected,
        });
        expect({ what, stored: read.status }).toEqual({ what, stored: 404 });
      } else {
        expect({ what, status: answer.status }).toEqual({ what, status: 200 });
        const stored = (read.json as { entity: { attributes: Record<string, unknown> } }).entity
          .attributes;
        expect({ what, stored }).toMatchObject({ what, stored: expected });
        expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      }
    }
  }, 120_000);

  it("never lets a map key named __proto__ become a prototype (the key is dropped on the way in)", async () => {
    const props = `{"__proto__":{"polluted":"yes"},"a":"1"}`;
    const body = `{"entity":{"typeName":"vt_thing","attributes":{"qualifiedName":"proto@vt","name":"proto","origin":"x","props":${props}}}}`;
    const answer = await fetch(`${server.url}${ENTITY}`, {
      method: "POST",
      headers: { authorization: ATLAS_ADMIN_AUTH, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    expect(answer.status).toBe(200);
    const read = await call(
      "GET",
      `${ENTITY}/uniqueAttribute/type/vt_thing?attr:qualifiedName=proto@vt`,
    );
    expect(read.text).toContain('"props":{"a":1}');
    expect(read.text).not.toContain("polluted");
    const other = await call("POST", ENTITY, { entity: thing("after-proto") });
    expect(other.status).toBe(200);
    expect(other.text).not.toContain("polluted");
  });

  it("keeps the refusal of many bad values bounded: at most 100 problems are listed", async () => {
    const answer = await call("POST", ENTITY, {
      entity: thing("many", { points: Array.from({ length: 5000 }, () => ({ x: "z" })) }),
    });
    expect(answer.status).toBe(404);
    const message = (answer.json as { errorMessage: string }).errorMessage;
    expect(message.split("; ").filter((m) => m.includes("invalid value"))).toHaveLength(100);
    expect(message).toMatch(/… and 4900 more$/);
    expect(answer.text.length).toBeLessThan(20_000);
  });

  it("never answers with a stack trace, and keeps serving", async () => {
    expect((await call("GET", "/api/atlas/admin/status")).status).toBe(200);
    expect(bodies.filter(hasStackTrace)).toEqual([]);
  });
});
