/**
 * Attribute validation through the entity API of a real server process (dist/main.js,
 * standalone, hook consumer off), on SQLite and on PostgreSQL: Atlas's status, code and message
 * for invalid attributes on POST entity, POST entity/bulk and the partial updates, normalised
 * values on GET, and nothing stored on a refusal (docs/contracts/model.md, "Attribute validation").
 */
import { atlasCall } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandaloneOn, type Standalone } from "../support/standalone.js";
import { thing, VALIDATION_TYPES } from "../support/validation-types.js";

const ENTITY = "/api/atlas/v2/entity";
const PREFIX = "Invalid instance creation/updation parameters passed : ";
const pg = usePostgres();

describe.each(["sqlite", "postgres"] as const)(
  "attribute validation over HTTP on %s",
  (backend) => {
    let server: Standalone;
    const call = (method: string, path: string, body?: unknown) =>
      atlasCall(server.url, method, path, body);
    const byName = (name: string) =>
      call("GET", `${ENTITY}/uniqueAttribute/type/vt_thing?attr:qualifiedName=${name}@vt`);

    beforeAll(async () => {
      server = await startStandaloneOn(backend, "validation", pg);
      expect((await call("POST", "/api/atlas/v2/types/typedefs", VALIDATION_TYPES)).status).toBe(
        200,
      );
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("POST entity without mandatory attributes is 404 ATLAS-404-00-007 naming each, and stores nothing", async () => {
      const answer = await call("POST", ENTITY, {
        entity: { typeName: "vt_thing", attributes: { qualifiedName: "bare@vt" } },
      });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({
        errorCode: "ATLAS-404-00-007",
        errorMessage:
          PREFIX +
          "vt_thing.name: mandatory attribute value missing in type Asset; " +
          "vt_thing.origin: mandatory attribute value missing in type vt_base",
      });
      expect((await byName("bare")).status).toBe(404);
    });

    it("POST entity/bulk with values of the wrong type is refused as a whole, every problem listed", async () => {
      const answer = await call("POST", `${ENTITY}/bulk`, {
        entities: [thing("fine"), thing("wrong", { i: "abc", level: "MEDIUM", tags: [1, "x"] })],
      });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({
        errorCode: "ATLAS-404-00-007",
        errorMessage:
          PREFIX +
          "vt_thing.i=abc: invalid value for type int; " +
          "vt_thing.level=MEDIUM: invalid value for type vt_level; " +
          "vt_thing.tags[1]=x: invalid value for type int",
      });
      expect((await byName("fine")).status).toBe(404);
      expect((await byName("wrong")).status).toBe(404);
    });

    it("a struct that is not an object is 400 ATLAS-400-00-025; a reference that is not an object id 400 ATLAS-400-00-021", async () => {
      const struct = await call("POST", ENTITY, { entity: thing("s", { point: "1,2" }) });
      expect([struct.status, (struct.json as { errorCode: string }).errorCode]).toEqual([
        400,
        "ATLAS-400-00-025",
      ]);
      const reference = await call("POST", ENTITY, {
        entity: {
          typeName: "hive_table",
          attributes: { qualifiedName: "t@vt", name: "t", db: 42 },
        },
      });
      expect([reference.status, (reference.json as { errorCode: string }).errorCode]).toEqual([
        400,
        "ATLAS-400-00-021",
      ]);
    });

    it("stores what Atlas normalises the values to, without the attributes the type does not have", async () => {
      const created = await call("POST", ENTITY, {
        entity: thing("norm", {
          i: "12",
          flag: "false",
          when: "2026-01-02T03:04:05.678Z",
          level: "low",
          props: { a: "1" },
          nope: 1,
        }),
      });
      expect(created.status).toBe(200);
      const { entity } = (await byName("norm")).json as {
        entity: { attributes: Record<string, unknown> };
      };
      expect(entity.attributes).toMatchObject({
        i: 12,
        flag: false,
        when: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
        level: "LOW",
        props: { a: 1 },
      });
      expect(entity.attributes).not.toHaveProperty("nope");
    });

    it("a partial update needs no mandatory attribute but has its values checked: PUT uniqueAttribute and PUT guid?name= (an unknown name there: 400 ATLAS-400-00-023)", async () => {
      expect((await call("POST", ENTITY, { entity: thing("part", { i: 1 }) })).status).toBe(200);
      const path = `${ENTITY}/uniqueAttribute/type/vt_thing?attr:qualifiedName=part@vt`;
      const partial = await call("PUT", path, {
        entity: { typeName: "vt_thing", attributes: { i: "2" } },
      });
      expect(partial.status).toBe(200);
      const bad = await call("PUT", path, {
        entity: { typeName: "vt_thing", attributes: { i: "two" } },
      });
      expect([bad.status, bad.json]).toEqual([
        404,
        {
          errorCode: "ATLAS-404-00-007",
          errorMessage: `${PREFIX}vt_thing.i=two: invalid value for type int`,
        },
      ]);
      const { entity } = (await byName("part")).json as {
        entity: { guid: string; attributes: Record<string, unknown> };
      };
      expect(entity.attributes.i).toBe(2);
      const one = await call("PUT", `${ENTITY}/guid/${entity.guid}?name=i`, `"three"`);
      expect([one.status, (one.json as { errorCode: string }).errorCode]).toEqual([
        404,
        "ATLAS-404-00-007",
      ]);
      expect((await call("PUT", `${ENTITY}/guid/${entity.guid}?name=i`, `"3"`)).status).toBe(200);
      const after = (await byName("part")).json as { entity: { attributes: { i: unknown } } };
      expect(after.entity.attributes.i).toBe(3);
      // One attribute by guid: a name the type does not have is Atlas's UNKNOWN_ATTRIBUTE (a
      // body-based update ignores it); an inherited one is the type's.
      const unknown = await call("PUT", `${ENTITY}/guid/${entity.guid}?name=nope`, `"x"`);
      expect([unknown.status, unknown.json]).toEqual([
        400,
        {
          errorCode: "ATLAS-400-00-023",
          errorMessage: "Attribute nope not found for type vt_thing",
        },
      ]);
      const inherited = await call("PUT", `${ENTITY}/guid/${entity.guid}?name=description`, `"d"`);
      expect(inherited.status).toBe(200);
    });
  },
);
