import { describe, expect, it } from "vitest";
import { builtinTypedefs } from "../../src/models/index.js";
import { TypeRegistry } from "../../src/store/typesystem.js";

describe("the built-in type system", () => {
  const types = TypeRegistry.fromTypesDef(builtinTypedefs());

  it("every hook type inherits the unique qualifiedName from Referenceable", () => {
    for (const name of [
      "hive_db",
      "hive_table",
      "hive_column",
      "hive_storagedesc",
      "hive_process",
      "hive_process_execution",
      "hive_db_ddl",
      "hive_table_ddl",
      "hbase_namespace",
      "hbase_table",
      "hbase_column_family",
      "kafka_topic",
      "hdfs_path",
    ]) {
      const info = types.entityType(name);
      expect(info.superTypes.has("Referenceable"), name).toBe(true);
      expect(info.uniqueAttributes, name).toEqual(["qualifiedName"]);
    }
    expect(types.entityType("hdfs_path").attributes.get("path")).toMatchObject({
      typeName: "string",
      isOptional: false,
    });
  });

  it("DataSet's subtypes include the hook datasets, and Process's the hook processes", () => {
    expect(types.withSubtypes("DataSet")).toEqual(
      expect.arrayContaining([
        "hive_table",
        "hive_column",
        "hdfs_path",
        "kafka_topic",
        "hbase_table",
      ]),
    );
    expect(types.withSubtypes("DataSet")).not.toContain("hive_process");
    expect(types.withSubtypes("Process")).toEqual(
      expect.arrayContaining(["Process", "hive_process", "hive_column_lineage"]),
    );
  });

  it("a table owns its columns, partition keys, storage descriptor and DDL; a database does not own its tables", () => {
    expect([...types.entityType("hive_table").ownedAttributes].sort()).toEqual([
      "columns",
      "ddlQueries",
      "partitionKeys",
      "sd",
    ]);
    expect([...types.entityType("hive_db").ownedAttributes]).toEqual(["ddlQueries"]);
    expect([...types.entityType("hbase_table").ownedAttributes]).toEqual(["column_families"]);
    expect([...types.entityType("hive_process").ownedAttributes].sort()).toEqual([
      "columnLineages",
      "processExecutions",
    ]);
  });

  it("an unknown type is a typed error naming it", () => {
    expect(() => types.entityType("no_such_type")).toThrow(
      expect.objectContaining({ code: "STORE_UNKNOWN_TYPE", typeName: "no_such_type" }),
    );
    expect(() => types.withSubtypes("hive_serde")).toThrow(
      expect.objectContaining({ code: "STORE_UNKNOWN_TYPE" }),
    );
  });
});
