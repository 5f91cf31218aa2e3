/**
 * The model the Hive hook writes (`1030-hive_model`): databases, tables with their storage
 * descriptor and columns, processes (lineage) and their executions, and the DDL statements.
 * Table → columns / partition keys / storage descriptor are COMPOSITIONs: dropping a table
 * deletes them, which the Hive hook relies on (it sends a delete for the table only).
 */
import { attr, entityDef, enumDef, relationshipDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const HIVE = "hive";
const hive = { serviceType: HIVE };

export const HIVE_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [enumDef("hive_principal_type", ["USER", "ROLE", "GROUP"], HIVE, 1)],
  structDefs: [
    structDef(
      "hive_order",
      [attr("order", "int", { required: true }), attr("col", "string", { required: true })],
      HIVE,
    ),
    structDef(
      "hive_serde",
      [
        attr("name", "string"),
        attr("serializationLib", "string"),
        attr("parameters", "map<string,string>"),
      ],
      HIVE,
    ),
  ],
  entityDefs: [
    entityDef(
      "hive_db",
      ["Asset"],
      [
        attr("clusterName", "string", { required: true, indexed: true }),
        attr("location", "string"),
        attr("managedLocation", "string"),
        attr("parameters", "map<string,string>"),
        attr("ownerType", "hive_principal_type"),
      ],
      { ...hive, typeVersion: "1.2" },
    ),
    entityDef(
      "hive_table",
      ["DataSet"],
      [
        attr("createTime", "date"),
        attr("lastAccessTime", "date"),
        attr("comment", "string"),
        attr("retention", "int"),
        attr("aliases", "array<string>"),
        attr("parameters", "map<string,string>"),
        attr("viewOriginalText", "string"),
        attr("viewExpandedText", "string"),
        attr("tableType", "string"),
        attr("temporary", "boolean", { indexed: true }),
      ],
      { ...hive, typeVersion: "1.1", options: { schemaElementsAttribute: "columns" } },
    ),
    entityDef(
      "hive_storagedesc",
      ["Referenceable"],
      [
        attr("location", "string"),
        attr("inputFormat", "string"),
        attr("outputFormat", "string"),
        attr("compressed", "boolean", { required: true }),
        attr("numBuckets", "int"),
        attr("serdeInfo", "hive_serde"),
        attr("bucketCols", "array<string>"),
        attr("sortCols", "array<hive_order>"),
        attr("parameters", "map<string,string>"),
        attr("storedAsSubDirectories", "boolean"),
      ],
      hive,
    ),
    entityDef(
      "hive_column",
      ["DataSet"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("comment", "string"),
        attr("position", "int"),
      ],
      { ...hive, typeVersion: "1.3" },
    ),
    entityDef(
      "hive_process",
      ["Process"],
      [
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("operationType", "string", { required: true, indexed: true }),
        attr("queryText", "string", { required: true }),
        attr("queryPlan", "string", { required: true }),
        attr("queryId", "string", { required: true }),
        attr("recentQueries", "array<string>", { cardinality: "LIST" }),
        attr("clusterName", "string"),
        attr("queryGraph", "string"),
      ],
      hive,
    ),
    entityDef(
      "hive_column_lineage",
      ["Process"],
      [attr("depenendencyType", "string", { required: true }), attr("expression", "string")],
      hive,
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
      { ...hive, typeVersion: "1.1", options: { displayTextAttribute: "queryText" } },
    ),
    entityDef("hive_db_ddl", ["ddl"], [], hive),
    entityDef("hive_table_ddl", ["ddl"], [], hive),
  ],
  relationshipDefs: [
    relationshipDef(
      "hive_table_db",
      "AGGREGATION",
      ["hive_table", "db", "SINGLE"],
      ["hive_db", "tables", "SET", true],
      HIVE,
    ),
    relationshipDef(
      "hive_table_columns",
      "COMPOSITION",
      ["hive_table", "columns", "SET", true],
      ["hive_column", "table", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_table_partitionkeys",
      "COMPOSITION",
      ["hive_table", "partitionKeys", "SET", true],
      ["hive_column", "table", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_table_storagedesc",
      "COMPOSITION",
      ["hive_table", "sd", "SINGLE", true],
      ["hive_storagedesc", "table", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_process_column_lineage",
      "COMPOSITION",
      ["hive_column_lineage", "query", "SINGLE"],
      ["hive_process", "columnLineages", "SET", true],
      HIVE,
    ),
    relationshipDef(
      "hive_process_process_executions",
      "COMPOSITION",
      ["hive_process", "processExecutions", "SET", true],
      ["hive_process_execution", "process", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_table_ddl_queries",
      "COMPOSITION",
      ["hive_table", "ddlQueries", "SET", true],
      ["hive_table_ddl", "table", "SINGLE"],
      HIVE,
    ),
    relationshipDef(
      "hive_db_ddl_queries",
      "COMPOSITION",
      ["hive_db", "ddlQueries", "SET", true],
      ["hive_db_ddl", "db", "SINGLE"],
      HIVE,
    ),
  ],
};
