import { describe, expect, expectTypeOf, it } from "vitest";
import {
  V1_TYPES,
  V2_TYPES,
  type AtlasEntity,
  type HookNotification,
  type JsonValue,
  type WireType,
} from "../src/index.js";

describe("the Atlas model", () => {
  it("names the eight hook notification types on the wire, V2 and V1", () => {
    expect(V2_TYPES).toEqual([
      "ENTITY_CREATE_V2",
      "ENTITY_FULL_UPDATE_V2",
      "ENTITY_PARTIAL_UPDATE_V2",
      "ENTITY_DELETE_V2",
    ]);
    expect(V1_TYPES).toEqual([
      "ENTITY_CREATE",
      "ENTITY_FULL_UPDATE",
      "ENTITY_PARTIAL_UPDATE",
      "ENTITY_DELETE",
    ]);
    expectTypeOf<WireType>().toEqualTypeOf<(typeof V1_TYPES)[number] | (typeof V2_TYPES)[number]>();
  });

  it("a notification is one of the four V2 shapes; entities keep fields they do not name", () => {
    expectTypeOf<HookNotification["type"]>().toEqualTypeOf<(typeof V2_TYPES)[number]>();
    const entity: AtlasEntity = {
      typeName: "hive_db",
      attributes: { qualifiedName: "db@cm" },
      homeId: "x",
    };
    const value: JsonValue = { nested: [1, "two", null, { three: true }] };
    expect({ entity, value }).toBeTruthy();
  });
});
