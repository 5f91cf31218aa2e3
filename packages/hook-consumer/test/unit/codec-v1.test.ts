import { describe, expect, it } from "vitest";
import { decodeBody } from "../../src/index.js";

const ref = (guid: string, typeName: string, values: Record<string, unknown>) => ({
  jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference",
  id: {
    jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Id",
    id: guid,
    version: 0,
    typeName,
    state: "ACTIVE",
  },
  typeName,
  values,
  traitNames: [],
  traits: {},
});

describe("V1 bodies are normalised to the V2 model", () => {
  it("a nested Referenceable becomes a referred entity and an object id in the attribute", () => {
    const db = ref("-2", "hive_db", { qualifiedName: "db@cm", name: "db" });
    const table = ref("-1", "hive_table", {
      qualifiedName: "db.t@cm",
      db,
      columns: [ref("-3", "hive_column", { qualifiedName: "db.t.c@cm" })],
    });
    const n = decodeBody({ type: "ENTITY_FULL_UPDATE", user: "hive", entities: [table] });
    expect(n).toEqual({
      type: "ENTITY_FULL_UPDATE_V2",
      format: "V1",
      wireType: "ENTITY_FULL_UPDATE",
      user: "hive",
      entities: {
        entities: [
          {
            typeName: "hive_table",
            guid: "-1",
            status: "ACTIVE",
            attributes: {
              qualifiedName: "db.t@cm",
              db: { typeName: "hive_db", guid: "-2", uniqueAttributes: { qualifiedName: "db@cm" } },
              columns: [
                {
                  typeName: "hive_column",
                  guid: "-3",
                  uniqueAttributes: { qualifiedName: "db.t.c@cm" },
                },
              ],
            },
          },
        ],
        referredEntities: {
          "-2": {
            typeName: "hive_db",
            guid: "-2",
            status: "ACTIVE",
            attributes: { qualifiedName: "db@cm", name: "db" },
          },
          "-3": {
            typeName: "hive_column",
            guid: "-3",
            status: "ACTIVE",
            attributes: { qualifiedName: "db.t.c@cm" },
          },
        },
      },
    });
  });

  it("Ids become object ids, Structs become {typeName, attributes}, traits become classifications", () => {
    const entity = {
      ...ref("-5", "hive_table", {
        qualifiedName: "t@cm",
        db: {
          jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Id",
          id: "abc-guid",
          version: 0,
          typeName: "hive_db",
          state: "ACTIVE",
        },
        sd: {
          jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Struct",
          typeName: "serde",
          values: { name: "lazy" },
        },
        parameters: { a: "1" },
      }),
      traitNames: ["PII"],
      traits: {
        PII: {
          jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Struct",
          typeName: "PII",
          values: { level: 3 },
        },
      },
    };
    const n = decodeBody({ type: "ENTITY_CREATE", entities: [entity] });
    if (n.type !== "ENTITY_CREATE_V2") throw new Error(n.type);
    expect(n.entities.entities[0]).toEqual({
      typeName: "hive_table",
      guid: "-5",
      status: "ACTIVE",
      attributes: {
        qualifiedName: "t@cm",
        db: { typeName: "hive_db", guid: "abc-guid" },
        sd: { typeName: "serde", attributes: { name: "lazy" } },
        parameters: { a: "1" },
      },
      classifications: [{ typeName: "PII", attributes: { level: 3 } }],
    });
  });

  it("a V1 partial update names the entity by typeName + attribute and carries the changed values", () => {
    const n = decodeBody({
      type: "ENTITY_PARTIAL_UPDATE",
      user: "hbase",
      typeName: "hbase_table",
      attribute: "qualifiedName",
      attributeValue: "ns:t@cm",
      entity: {
        jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference",
        id: { id: "-9", typeName: "hbase_table" },
        values: { description: "new" },
      },
    });
    expect(n).toEqual({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      format: "V1",
      wireType: "ENTITY_PARTIAL_UPDATE",
      user: "hbase",
      entityId: { typeName: "hbase_table", uniqueAttributes: { qualifiedName: "ns:t@cm" } },
      entity: {
        entity: { typeName: "hbase_table", guid: "-9", attributes: { description: "new" } },
        referredEntities: {},
      },
    });
  });

  it("a V1 delete becomes a one-entity ENTITY_DELETE_V2", () => {
    expect(
      decodeBody({
        type: "ENTITY_DELETE",
        user: "hive",
        typeName: "hive_db",
        attribute: "qualifiedName",
        attributeValue: "db@cm",
      }),
    ).toEqual({
      type: "ENTITY_DELETE_V2",
      format: "V1",
      wireType: "ENTITY_DELETE",
      user: "hive",
      entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "db@cm" } }],
    });
  });

  it("a V2 partial update keeps entityId and the changed attributes as sent", () => {
    const body = {
      type: "ENTITY_PARTIAL_UPDATE_V2",
      user: "hive",
      entityId: { typeName: "hive_table", uniqueAttributes: { qualifiedName: "db.old@cm" } },
      entity: {
        entity: { typeName: "hive_table", attributes: { qualifiedName: "db.new@cm", name: "new" } },
      },
    };
    expect(decodeBody(body)).toEqual({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      format: "V2",
      wireType: "ENTITY_PARTIAL_UPDATE_V2",
      user: "hive",
      entityId: body.entityId,
      entity: { entity: body.entity.entity, referredEntities: {} },
    });
  });
});
