/**
 * Attribute validation as Atlas's preCreateOrUpdate does it (docs/contracts/model.md,
 * "Attribute validation"), on both backends: mandatory attributes on create and full update but
 * not on a partial update, every built-in type checked and normalised, enums, lists, maps,
 * structs, unknown attribute names ignored, every problem listed, nothing stored on a refusal.
 */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import { thing, VALIDATION_TYPES } from "../support/validation-types.js";
import { storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "validator";

const create = (store: MetadataStore, entities: unknown[]) =>
  store.createOrUpdate(1, { entities: entities as AtlasEntity[], referredEntities: {} }, USER);

const attributesOf = async (store: MetadataStore, name: string) =>
  (await store.getByUniqueAttribute("vt_thing", `${name}@vt`))?.entity.attributes;

/** The refusal of `attempt`: Atlas's INSTANCE_CRUD_INVALID_PARAMS with these messages. */
async function refused(attempt: Promise<unknown>): Promise<string[]> {
  const error = (await attempt.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; code: string; httpStatus: number; atlasErrorCode: string };
  expect(error).toMatchObject({
    name: "StoreInvalidAttributesError",
    code: "STORE_INVALID_ATTRIBUTES",
    httpStatus: 404,
    atlasErrorCode: "ATLAS-404-00-007",
  });
  return [...(error as unknown as { messages: string[] }).messages];
}

describe.each<BackendName>(["sqlite", "postgres"])(
  "attribute validation on the %s store",
  (backend) => {
    const stores = storeFactory(backend, pg);
    const fresh = async () => {
      const { store } = await stores.fresh();
      await store.createTypedefs(1, VALIDATION_TYPES as never, USER);
      return store;
    };

    it("normalises values as Atlas's getNormalizedValue does, and leaves out attributes the type does not have", async () => {
      const store = await fresh();
      await create(store, [
        thing("n", {
          flag: "TRUE",
          b: "-7",
          s: 12.9,
          i: "12",
          l: -3.5,
          f: " 1.5 ",
          d: 3,
          bi: "12.7",
          bd: "0.25",
          when: "2026-01-02T03:04:05.678Z",
          text: 12,
          level: "high",
          tags: ["1", 2],
          props: { a: "5", b: null },
          point: { x: "1" },
          points: [{ typeName: "vt_point", attributes: { x: 2, label: "two", extra: 1 } }],
          nope: "not an attribute of vt_thing",
        }),
      ]);
      const stored = await attributesOf(store, "n");
      expect(stored).toMatchObject({
        flag: true,
        b: -7,
        s: 12,
        i: 12,
        l: -3,
        f: 1.5,
        d: 3,
        bi: 12,
        bd: 0.25,
        when: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
        text: "12",
        level: "HIGH",
        tags: [1, 2],
        props: { a: 5, b: null },
        point: { x: 1 },
        points: [{ typeName: "vt_point", attributes: { x: 2, label: "two" } }],
      });
      expect(stored).not.toHaveProperty("nope");
      // A date as epoch millis, also as a string of digits; an empty string is no date.
      await create(store, [thing("m", { when: "1767225600000", text: { k: [1, true] } })]);
      expect(await attributesOf(store, "m")).toMatchObject({
        when: 1_767_225_600_000,
        text: "{k=[1, true]}",
      });
      await create(store, [thing("e", { when: "" })]);
      expect((await attributesOf(store, "e"))?.when).toBeNull();
    });

    it("refuses a create that lacks mandatory attributes, its supertypes' included, naming each, and stores nothing", async () => {
      const store = await fresh();
      const messages = await refused(
        create(store, [
          thing("ok"),
          { typeName: "vt_thing", attributes: { qualifiedName: "bare@vt", point: { label: "p" } } },
        ]),
      );
      expect(messages.sort()).toEqual(
        [
          "vt_thing.name: mandatory attribute value missing in type Asset",
          "vt_thing.origin: mandatory attribute value missing in type vt_base",
          "vt_thing.point.x: mandatory attribute value missing in type vt_point",
        ].sort(),
      );
      // The whole request is refused: the valid entity before it was not stored either.
      expect(await store.getByUniqueAttribute("vt_thing", "ok@vt")).toBeNull();
      expect(await store.getByUniqueAttribute("vt_thing", "bare@vt")).toBeNull();
      // An explicit null is no value.
      expect(await refused(create(store, [thing("nul", { origin: null })]))).toEqual([
        "vt_thing.origin: mandatory attribute value missing in type vt_base",
      ]);
    });

    it("lists every value of the wrong type, per built-in type, enum, list, map and struct", async () => {
      const store = await fresh();
      const messages = await refused(
        create(store, [
          thing("bad", {
            flag: 1,
            b: 200,
            s: 40000,
            i: "abc",
            l: "1.5",
            f: 1e39,
            d: "x",
            bi: "1x",
            bd: true,
            when: "yesterday",
            level: "MEDIUM",
            tags: [1, "x"],
            props: { a: "y" },
            point: { x: "z" },
            points: "not a list",
          }),
        ]),
      );
      expect(messages).toEqual([
        "vt_thing.flag=1: invalid value for type boolean",
        "vt_thing.b=200: invalid value for type byte",
        "vt_thing.s=40000: invalid value for type short",
        "vt_thing.i=abc: invalid value for type int",
        "vt_thing.l=1.5: invalid value for type long",
        "vt_thing.f=1e+39: invalid value for type float",
        "vt_thing.d=x: invalid value for type double",
        "vt_thing.bi=1x: invalid value for type biginteger",
        "vt_thing.bd=true: invalid value for type bigdecimal",
        "vt_thing.when=yesterday: invalid value for type date",
        "vt_thing.level=MEDIUM: invalid value for type vt_level",
        "vt_thing.tags[1]=x: invalid value for type int",
        "vt_thing.props.a=y: invalid value for type int",
        "vt_thing.point.x=z: invalid value for type int",
        "vt_thing.points=not a list: invalid value for type array<vt_point>",
      ]);
      expect(await store.getByUniqueAttribute("vt_thing", "bad@vt")).toBeNull();
      // A list longer than valuesMaxCount (LIST/SET cardinality).
      expect(await refused(create(store, [thing("many", { tags: [1, 2, 3, 4] })]))).toEqual([
        "vt_thing.tags: incorrect number of values. found=4; expected: minCount=0, maxCount=3",
      ]);
    });

    it("refuses a struct value that is not an object (400 ATLAS-400-00-025) and a reference that is not an object id (400 ATLAS-400-00-021)", async () => {
      const store = await fresh();
      await expect(create(store, [thing("s", { point: 5 })])).rejects.toMatchObject({
        code: "STORE_INVALID_ENTITY",
        httpStatus: 400,
        atlasErrorCode: "ATLAS-400-00-025",
      });
      await expect(
        create(store, [
          {
            typeName: "hive_table",
            attributes: { qualifiedName: "t@vt", name: "t", db: "sales" },
          },
        ]),
      ).rejects.toMatchObject({
        code: "STORE_INVALID_ENTITY",
        httpStatus: 400,
        atlasErrorCode: "ATLAS-400-00-021",
      });
      expect(await store.getByUniqueAttribute("hive_table", "t@vt")).toBeNull();
    });

    it("checks mandatory attributes on a full update too, but a partial update only checks the values it gives", async () => {
      const store = await fresh();
      await create(store, [thing("u", { i: 1 })]);
      // Full update (create of an existing entity) without `origin`: refused, nothing changes.
      await expect(
        refused(
          create(store, [
            { typeName: "vt_thing", attributes: { qualifiedName: "u@vt", name: "u" } },
          ]),
        ),
      ).resolves.toEqual(["vt_thing.origin: mandatory attribute value missing in type vt_base"]);
      const id = { typeName: "vt_thing", uniqueAttributes: { qualifiedName: "u@vt" } };
      const partial = (attributes: Record<string, unknown>) =>
        store.partialUpdateByUniqueAttribute(
          1,
          id,
          { entity: { typeName: "vt_thing", attributes } as AtlasEntity, referredEntities: {} },
          USER,
        );
      await partial({ i: "7", level: "low" });
      expect(await attributesOf(store, "u")).toMatchObject({ i: 7, level: "LOW", origin: "test" });
      expect(await refused(partial({ i: "seven", point: { label: "no x" } }))).toEqual([
        "vt_thing.i=seven: invalid value for type int",
      ]);
      expect((await attributesOf(store, "u"))?.i).toBe(7);
    });

    it("skips the mandatory check for an entity that says it is incomplete, as Atlas does for import shells", async () => {
      const store = await fresh();
      await create(store, [
        { typeName: "vt_thing", isIncomplete: true, attributes: { qualifiedName: "shell@vt" } },
      ]);
      expect(await store.getByUniqueAttribute("vt_thing", "shell@vt")).not.toBeNull();
    });

    it("makes the child end of a COMPOSITION relationship mandatory (a hive_column needs its table)", async () => {
      const store = await fresh();
      expect(
        await refused(
          create(store, [
            {
              typeName: "hive_column",
              attributes: { qualifiedName: "db.t.c@vt", name: "c", type: "int" },
            },
          ]),
        ),
      ).toEqual(["hive_column.table: mandatory attribute value missing in type hive_column"]);
    });
  },
);
