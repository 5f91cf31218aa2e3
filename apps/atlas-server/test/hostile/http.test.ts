/**
 * Hostile HTTP against an active and a passive instance: one ZooKeeper node and two real
 * atlas-server processes on one SQLite file (hook consumer off). Every answer is the
 * documented one (docs/contracts/http.md, the README's error table): Atlas JSON errors on the active, the
 * redirect on the passive, Node's own 400/408/431 for broken HTTP and slow clients; never a
 * stack trace; both keep serving afterwards.
 */
import { atlasCall as call, hiveDb } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import {
  ADMIN_BASIC,
  hasStackTrace,
  rawRequest,
  request,
  type RawAnswer,
} from "../support/raw-http.js";

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 3000;
/** How often Node checks those timeouts: the server sets connectionsCheckingInterval to min(1 s, headers timeout). */
const CHECK_INTERVAL_MS = Math.min(1000, HEADERS_TIMEOUT_MS);
/**
 * The latest a slow client may be cut off: the limit plus one check interval is when Node does
 * it; as much again covers a loaded machine. A server that ignored the limit would hold the
 * connection until the trickle ends (tens of seconds) or the client's 20 s deadline.
 */
const cutBy = (limitMs: number) => 2 * (limitMs + CHECK_INTERVAL_MS);
const ENTITY = "/api/atlas/v2/entity";

/** Every answer body of the suite, checked for stack traces at the end. */
const bodies: string[] = [];
function seen<T extends { text?: string; body?: string }>(answer: T): T {
  bodies.push(answer.text ?? answer.body ?? "");
  return answer;
}

/** POST of exact bytes to the entity endpoint as admin, redirects not followed. */
async function postBytes(
  base: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; location: string | null }> {
  const response = await fetch(`${base}${ENTITY}`, {
    method: "POST",
    redirect: "manual",
    headers: { authorization: ADMIN_BASIC, "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    text: await response.text(),
    location: response.headers.get("location"),
  };
}

describe("hostile HTTP against an active and a passive (1 ZooKeeper node, 2 atlas-server processes on SQLite)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let group: Group;
  let failed = false;

  beforeAll(async () => {
    group = await startGroup({
      zkConnect: zk().connectString,
      properties: {
        "atlas.server.http.headers.timeout.ms": HEADERS_TIMEOUT_MS,
        "atlas.server.http.request.timeout.ms": REQUEST_TIMEOUT_MS,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await group?.stop(failed);
  });
  const check = async (test: () => Promise<void>) => {
    try {
      await test();
    } catch (error) {
      failed = true;
      throw error;
    }
  };

  it("bad bodies get 400, 413 or 415 with an Atlas error on the active; the passive redirects them with 307, unread", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const passive = passives[0]!;
      const big = JSON.stringify({
        entity: hiveDb("big", { description: "x".repeat(2 * 1024 * 1024) }),
      });
      const notUtf8 = Buffer.concat([
        Buffer.from(
          '{"entity":{"typeName":"hive_db","attributes":{"qualifiedName":"u8@e2e","name":"',
        ),
        Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
        Buffer.from('","clusterName":"e2e"}}}'),
      ]);
      const deep = `{"entity":{"typeName":"hive_db","attributes":{"qualifiedName":"deep@e2e","name":"deep","clusterName":"e2e","description":${"[".repeat(100_000)}${"]".repeat(100_000)}}}}`;
      const cases: [string, string | Buffer, Record<string, string>, number, string][] = [
        ["malformed JSON", '{"entity": {', {}, 400, "ATLAS-400-00-001"],
        [
          "JSON cut short",
          JSON.stringify({ entity: hiveDb("cut") }).slice(0, 40),
          {},
          400,
          "ATLAS-400-00-001",
        ],
        ["a body that is not UTF-8", notUtf8, {}, 400, "ATLAS-400-00-001"],
        ["a JSON list instead of an object", "[1,2,3]", {}, 400, "ATLAS-400-00-002"],
        ["an empty body", "", {}, 400, "ATLAS-400-00-002"],
        [
          "a typeName of the wrong type",
          JSON.stringify({ entity: { typeName: 5, attributes: {} } }),
          {},
          400,
          "ATLAS-400-00-002",
        ],
        [
          "attributes as a string",
          JSON.stringify({ entity: { typeName: "hive_db", attributes: "x" } }),
          {},
          400,
          "ATLAS-400-00-002",
        ],
        ["an entity nested 100,000 levels deep", deep, {}, 400, "ATLAS-400-00-01A"],
        ["a 2 MiB body", big, {}, 413, "ATLAS-413-00-001"],
        ["XML", "<entity/>", { "content-type": "application/xml" }, 415, "ATLAS-415-00-001"],
        [
          "a form",
          "entity=x",
          { "content-type": "application/x-www-form-urlencoded" },
          415,
          "ATLAS-415-00-001",
        ],
        [
          "multipart",
          "--b\r\n\r\nx\r\n--b--",
          { "content-type": "multipart/form-data; boundary=b" },
          415,
          "ATLAS-415-00-001",
        ],
      ];
      for (const [what, body, headers, status, code] of cases) {
        const onActive = seen(await postBytes(active.url, body, headers));
        expect({
          what,
          status: onActive.status,
          code: (JSON.parse(onActive.text) as { errorCode?: string }).errorCode,
        }).toEqual({ what, status, code });
        const onPassive = seen(await postBytes(passive.url, body, headers));
        expect({ what, status: onPassive.status, location: onPassive.location }).toEqual({
          what,
          status: 307,
          location: `${active.url}${ENTITY}`,
        });
      }
      // A client that sends its whole oversized body, streamed or declared, gets the 413 rather
      // than a connection reset under its feet (the server drops the rest before answering).
      const streamed = [
        request("POST", ENTITY, {
          Authorization: ADMIN_BASIC,
          "Content-Type": "application/json",
          "Transfer-Encoding": "chunked",
        }),
        ...Array.from({ length: 40 }, () => `10000\r\n${"x".repeat(0x10000)}\r\n`),
        "0\r\n\r\n",
      ];
      const declared = [
        request("POST", ENTITY, {
          Authorization: ADMIN_BASIC,
          "Content-Type": "application/json",
          "Content-Length": 40 * 0x10000,
        }),
        ...Array.from({ length: 40 }, () => "x".repeat(0x10000)),
      ];
      for (const [what, parts] of [
        ["streamed", streamed],
        ["declared", declared],
      ] as const) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const answer = seen(await rawRequest(active.port, [...parts]));
          expect({
            what,
            attempt,
            status: answer.status,
            code: (JSON.parse(answer.body || "{}") as { errorCode?: string }).errorCode,
          }).toEqual({ what, attempt, status: 413, code: "ATLAS-413-00-001" });
        }
      }
    }));

  it("path traversal and invalid guids get 400 or 404 on the active and are redirected byte for byte by the passive", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const passive = passives[0]!;
      const cases: [string, string, number, string][] = [
        [
          "encoded traversal in a guid",
          "/api/atlas/v2/entity/guid/..%2F..%2Fetc%2Fpasswd",
          400,
          "ATLAS-400-00-002",
        ],
        [
          "double-encoded traversal",
          "/api/atlas/v2/entity/guid/%252e%252e%252fetc%252fpasswd",
          400,
          "ATLAS-400-00-002",
        ],
        ["dot segments", "/api/atlas/../../etc/passwd", 404, "ATLAS-404-00-F01"],
        [
          "dot segments after a guid route",
          "/api/atlas/v2/entity/guid/../../../../etc/passwd",
          404,
          "ATLAS-404-00-F01",
        ],
        ["backslashes", "/api/atlas/v2/entity/guid/..\\..\\etc\\passwd", 400, "ATLAS-400-00-002"],
        ["a NUL in the guid", "/api/atlas/v2/entity/guid/abc%00def", 400, "ATLAS-400-00-002"],
        [
          "percent-encoding that is not UTF-8",
          "/api/atlas/v2/entity/guid/%ff%fe",
          400,
          "ATLAS-400-00-002",
        ],
        ["a broken percent-escape", "/api/atlas/v2/entity/guid/%E0%A4%A", 400, "ATLAS-400-00-002"],
        [
          "SQL in the guid",
          `/api/atlas/v2/entity/guid/${encodeURIComponent("x' OR '1'='1'; DROP TABLE entities; --")}`,
          400,
          "ATLAS-400-00-002",
        ],
        [
          "a 10,000-character guid",
          `/api/atlas/v2/entity/guid/${"a".repeat(10_000)}`,
          400,
          "ATLAS-400-00-002",
        ],
        [
          "a type name with traversal",
          "/api/atlas/v2/entity/uniqueAttribute/type/..%2F..%2Fetc?attr:qualifiedName=x",
          400,
          "ATLAS-400-00-014",
        ],
      ];
      for (const [what, path, status, code] of cases) {
        const onActive = seen(
          await rawRequest(active.port, [request("GET", path, { Authorization: ADMIN_BASIC })]),
        );
        expect({
          what,
          status: onActive.status,
          code: (JSON.parse(onActive.body || "{}") as { errorCode?: string }).errorCode,
        }).toEqual({ what, status, code });
        expect(onActive.body).not.toMatch(/root:|\/bin\/(ba)?sh/);
        const onPassive = seen(
          await rawRequest(passive.port, [request("GET", path, { Authorization: ADMIN_BASIC })]),
        );
        expect({ what, status: onPassive.status, location: onPassive.headers.location }).toEqual({
          what,
          status: 302,
          location: `${active.url}${path}`,
        });
      }
      const deleted = seen(
        await call(active, "DELETE", "/api/atlas/v2/entity/guid/..%2F..%2Fetc%2Fpasswd"),
      );
      expect(deleted.status).toBe(400);
    }));

  it("the paths that need no login cannot be widened: every way around them still asks for credentials (the passive redirects to the active, which asks)", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const paths = [
        "/api/atlas/admin/status/../../v2/types/typedefs",
        "/api/atlas/admin/status/..%2F..%2Fv2%2Ftypes%2Ftypedefs",
        "/api/atlas/admin/status%2F..%2F..%2Fv2%2Ftypes%2Ftypedefs",
        "/api/atlas/admin/health/x",
        "/api/atlas/admin/statusX",
        "/API/atlas/admin/status",
        "//api/atlas/admin/status",
        "/api/atlas/admin/status;/../../v2/types/typedefs",
        "/api/atlas/admin/version",
        "/api/atlas/admin/metrics/prometheus",
      ];
      // Answered by every instance itself (never redirected), and behind the login there too:
      // plain admin paths other than those Atlas's ActiveServerFilter sends to the active.
      const local = new Set([
        "/api/atlas/admin/version",
        "/api/atlas/admin/metrics/prometheus",
        "/api/atlas/admin/health/x",
        "/api/atlas/admin/statusX",
      ]);
      for (const instance of [active, ...passives]) {
        for (const path of paths) {
          const answer = seen(await rawRequest(instance.port, [request("GET", path)]));
          // A passive redirects a request without credentials, as Atlas does (its
          // ActiveServerFilter runs before the check that a request is authenticated).
          const redirected = instance !== active && !local.has(path);
          expect({
            path,
            status: answer.status,
            location: answer.headers["location"] ?? null,
            code: (JSON.parse(answer.body || "{}") as { errorCode?: string }).errorCode,
          }).toEqual({
            path,
            status: redirected ? 302 : 401,
            location: redirected ? `${active.url}${path}` : null,
            code: redirected ? undefined : "ATLAS-401-00-001",
          });
        }
      }
    }));

  it("oversized headers get 431 and broken HTTP gets 400, from Node, without a body, on both", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const cases: [string, string, number][] = [
        [
          "one 20 KiB header",
          request("GET", "/api/atlas/admin/status", { "X-Big": "a".repeat(20 * 1024) }),
          431,
        ],
        [
          "600 headers",
          request(
            "GET",
            "/api/atlas/admin/status",
            Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`X-H${i}`, "v".repeat(30)])),
          ),
          431,
        ],
        ["a 20 KiB URL", request("GET", `/api/atlas/admin/status?q=${"a".repeat(20 * 1024)}`), 431],
        [
          "Content-Length and Transfer-Encoding both",
          request(
            "POST",
            ENTITY,
            { Authorization: ADMIN_BASIC, "Content-Length": 5, "Transfer-Encoding": "chunked" },
            "0\r\n\r\n",
          ),
          400,
        ],
        [
          "a Content-Length that is not a number",
          request("POST", ENTITY, { Authorization: ADMIN_BASIC, "Content-Length": "abc" }),
          400,
        ],
        [
          "two different Content-Lengths",
          `POST ${ENTITY} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
          400,
        ],
        [
          "a header without a colon",
          "GET /api/atlas/admin/status HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
          400,
        ],
        [
          "a bare LF in a header value",
          "GET /api/atlas/admin/status HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
          400,
        ],
        [
          "garbage instead of a request line",
          "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n",
          400,
        ],
      ];
      for (const instance of [active, ...passives]) {
        for (const [what, text, status] of cases) {
          const answer = seen(await rawRequest(instance.port, [text]));
          expect({ what, status: answer.status, body: answer.body, closed: answer.closed }).toEqual(
            { what, status, body: "", closed: true },
          );
        }
      }
    }));

  it("slow clients (headers or body trickled byte by byte) get 408 and are disconnected, on the active and on the passive", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const slowHeaders = [
        ...request("GET", "/api/atlas/admin/status", { "X-Slow": "s".repeat(200) }),
      ];
      const body = JSON.stringify({ entity: hiveDb("slow-body") });
      const slowBody = [
        request("POST", ENTITY, {
          Authorization: ADMIN_BASIC,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        }),
        ...body,
      ];
      const results = await Promise.all(
        [active, ...passives].flatMap((instance) => [
          rawRequest(instance.port, slowHeaders, { gapMs: 100, timeoutMs: 20_000 }).then((a) => ({
            what: `${instance.name} headers`,
            a,
          })),
          rawRequest(instance.port, slowBody, { gapMs: 200, timeoutMs: 20_000 }).then((a) => ({
            what: `${instance.name} body`,
            a,
          })),
        ]),
      );
      for (const { a } of results) seen(a);
      const summary = (a: RawAnswer) => ({ status: a.status, closed: a.closed });
      // Node checks the timeouts every CHECK_INTERVAL_MS: the answer comes within one of the limit.
      for (const { what, a } of results.filter((r) => r.what.endsWith("headers"))) {
        expect({ what, ...summary(a) }).toEqual({ what, status: 408, closed: true });
        expect(a.ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
        expect(a.ms).toBeLessThan(cutBy(HEADERS_TIMEOUT_MS));
      }
      const activeBody = results.find((r) => r.what === `${active.name} body`)!.a;
      expect(summary(activeBody)).toEqual({ status: 408, closed: true });
      expect(activeBody.ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(activeBody.ms).toBeLessThan(cutBy(REQUEST_TIMEOUT_MS));
      // The passive answers a POST with its redirect at once, without reading the body; the
      // connection still cannot be held longer than the request timeout.
      for (const passive of passives) {
        const a = results.find((r) => r.what === `${passive.name} body`)!.a;
        expect(summary(a)).toEqual({ status: 307, closed: true });
        expect(a.headers.location).toBe(`${active.url}${ENTITY}`);
        expect(a.ms).toBeLessThan(cutBy(REQUEST_TIMEOUT_MS));
      }
    }));

  it("both keep serving afterwards, and no answer of the suite carried a stack trace", () =>
    check(async () => {
      const { active, passives } = await group.roles();
      const created = await call(active, "POST", ENTITY, { entity: hiveDb("after-the-abuse") });
      expect(created.status).toBe(200);
      for (const passive of passives) {
        const redirected = await call(passive, "GET", "/api/atlas/v2/types/typedefs");
        expect(redirected.status).toBe(302);
        expect((await call(passive, "GET", "/api/atlas/admin/status")).text).toBe(
          '{"Status":"PASSIVE"}',
        );
      }
      expect((await call(active, "GET", "/api/atlas/admin/status")).text).toBe(
        '{"Status":"ACTIVE"}',
      );
      expect(bodies.length).toBeGreaterThan(80);
      expect(bodies.filter(hasStackTrace)).toEqual([]);
    }));
});
