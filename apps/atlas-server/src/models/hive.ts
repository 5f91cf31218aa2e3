/**
 * The model the Hive hook writes (`1000-Hadoop/1030-hive_model.json` and its patches):
 * databases, tables with their storage descriptor and columns, processes (lineage) with their
 * column lineage and executions, and the DDL statements. Table → columns / partition keys /
 * storage descriptor / DDL are COMPOSITIONs: dropping a table deletes them, which the Hive
 * hook relies on (it sends a delete for the table only). The relationships whose end is
 * `legacy` were attributes of the entity types before Atlas 1.0; Atlas's patches removed
 * those attributes, so `hive_table.columns` is a relationship attribute only.
 */
import { attr, entityDef, enumDef, relationshipDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const HIVE = { serviceType: "hive" };

export const HIVE_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    enumDef("hive_principal_type", ["USER", "ROLE", "GROUP"], { ...HIVE, typeVersion: "1.1" }, 1),
  ],
  structDefs: [
    structDef(
      "hive_order",
      [attr("order", "int", { required: true }), attr("col", "string", { required: true })],
      { ...HIVE, typeVersion: "1.1" },
    ),
    structDef(
      "hive_serde",
      [
        attr("name", "string"),
        attr("serializationLib", "string"),
        attr("parameters", "map<string,string>"),
      ],
      { ...HIVE, typeVersion: "1.1" },
    ),
  ],
  entityDefs: [
    entityDef(
      "hive_process",
      ["Process"],
      [
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true, searchWeight: 9 }),
        attr("operationType", "string", { required: true, indexed: true }),
        attr("queryText", "string", { required: true, searchWeight: 9 }),
        attr("queryPlan", "string", { required: true }),
        attr("queryId", "string", { required: true }),
        attr("recentQueries", "array<string>", { cardinality: "LIST" }),
        attr("clusterName", "string", { searchWeight: 8, includeInNotification: true }),
        attr("queryGraph", "string"),
      ],
      { ...HIVE, typeVersion: "1.4" },
    ),
    entityDef(
      "hive_table",
      ["DataSet"],
      [
        attr("createTime", "date"),
        attr("lastAccessTime", "date"),
        attr("comment", "string", { searchWeight: 9 }),
        attr("retention", "int"),
        attr("aliases", "array<string>", { cardinality: "SET" }),
        attr("parameters", "map<string,string>"),
        attr("viewOriginalText", "string", { searchWeight: 9 }),
        attr("viewExpandedText", "string", { searchWeight: 9 }),
        attr("tableType", "string"),
        attr("temporary", "boolean", { indexed: true }),
      ],
      { ...HIVE, typeVersion: "1.5", options: { schemaElementsAttribute: "columns" } },
    ),
    entityDef(
      "hive_storagedesc",
      ["Referenceable"],
      [
        attr("location", "string", { searchWeight: 5 }),
        attr("inputFormat", "string"),
        attr("outputFormat", "string"),
        attr("compressed", "boolean", { required: true }),
        attr("numBuckets", "int"),
        attr("serdeInfo", "hive_serde"),
        attr("bucketCols", "array<string>", { cardinality: "SET" }),
        attr("sortCols", "array<hive_order>", { cardinality: "SET" }),
        attr("parameters", "map<string,string>"),
        attr("storedAsSubDirectories", "boolean"),
      ],
      { ...HIVE, typeVersion: "1.2" },
    ),
    entityDef(
      "hive_db",
      ["Asset"],
      [
        attr("clusterName", "string", {
          required: true,
          indexed: true,
          searchWeight: 9,
          includeInNotification: true,
        }),
        attr("location", "string", { searchWeight: 5 }),
        attr("parameters", "map<string,string>"),
        attr("ownerType", "hive_principal_type"),
        attr("managedLocation", "string"),
      ],
      { ...HIVE, typeVersion: "1.5" },
    ),
    entityDef(
      "hive_column",
      ["DataSet"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("comment", "string", { searchWeight: 9 }),
        attr("position", "int"),
      ],
      {
        ...HIVE,
        typeVersion: "1.5",
        options: {
          schemaAttributes: '["name", "description", "owner", "type", "comment", "position"]',
        },
      },
    ),
    entityDef(
      "hive_column_lineage",
      ["Process"],
      [attr("depenendencyType", "string", { required: true }), attr("expression", "string")],
      { ...HIVE, typeVersion: "1.1" },
    ),
    entityDef(
      "hive_process_execution",
      ["ProcessExecution"],
      [
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("queryText", "string", { required: true }),
        attr("queryGraph", "string"),
        attr("queryId", "string", { required: true }),
        attr("queryPlan", "string", { required: true }),
        attr("hostName", "string", { required: true, indexed: true }),
      ],
      { ...HIVE, typeVersion: "1.1", options: { displayTextAttribute: "queryText" } },
    ),
    entityDef("hive_db_ddl", ["ddl"], [], HIVE),
    entityDef("hive_table_ddl", ["ddl"], [], HIVE),
  ],
  relationshipDefs: [
    relationshipDef(
      "hive_table_db",
      "AGGREGATION",
      ["hive_table", "db", "SINGLE", { legacy: true }],
      ["hive_db", "tables", "SET", { container: true }],
      { ...HIVE, typeVersion: "1.2", relationshipLabel: "__hive_table.db" },
    ),
    relationshipDef(
      "hive_table_columns",
      "COMPOSITION",
      ["hive_table", "columns", "SET", { container: true, legacy: true }],
      ["hive_column", "table", "SINGLE", { legacy: true }],
      { ...HIVE, typeVersion: "1.2", relationshipLabel: "__hive_table.columns" },
    ),
    relationshipDef(
      "hive_table_partitionkeys",
      "COMPOSITION",
      ["hive_table", "partitionKeys", "SET", { container: true, legacy: true }],
      ["hive_column", "table", "SINGLE", { legacy: true }],
      { ...HIVE, typeVersion: "1.2", relationshipLabel: "__hive_table.partitionKeys" },
    ),
    relationshipDef(
      "hive_table_storagedesc",
      "COMPOSITION",
      ["hive_table", "sd", "SINGLE", { container: true, legacy: true }],
      ["hive_storagedesc", "table", "SINGLE", { legacy: true }],
      { ...HIVE, typeVersion: "1.2", relationshipLabel: "__hive_table.sd" },
    ),
    relationshipDef(
      "hive_process_column_lineage",
      "COMPOSITION",
      ["hive_column_lineage", "query", "SINGLE", { legacy: true }],
      ["hive_process", "columnLineages", "SET", { container: true }],
      { ...HIVE, typeVersion: "1.2", relationshipLabel: "__hive_column_lineage.query" },
    ),
    relationshipDef(
      "hive_process_process_executions",
      "COMPOSITION",
      ["hive_process", "processExecutions", "SET", { container: true }],
      ["hive_process_execution", "process", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_table_ddl_queries",
      "COMPOSITION",
      ["hive_table", "ddlQueries", "SET", { container: true }],
      ["hive_table_ddl", "table", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_db_ddl_queries",
      "COMPOSITION",
      ["hive_db", "ddlQueries", "SET", { container: true }],
      ["hive_db_ddl", "db", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_db_location",
      "ASSOCIATION",
      ["hive_db", "locationPath", "SINGLE"],
      ["Path", "hiveDb", "SINGLE"],
      HIVE,
    ),
  ],
};
