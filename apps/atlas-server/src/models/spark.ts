/**
 * The Spark model (`1000-Hadoop/1100-spark_model.json`, for the Spark Atlas connector):
 * Spark's own databases and tables, processes and applications, and ML models and pipelines.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const SPARK = { serviceType: "spark" };

export const SPARK_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "spark_db",
      ["DataSet"],
      [
        attr("location", "string", { searchWeight: 5 }),
        attr("clusterName", "string", { searchWeight: 8 }),
        attr("parameters", "map<string,string>"),
        attr("ownerType", "string"),
      ],
      SPARK,
    ),
    entityDef(
      "spark_table",
      ["DataSet"],
      [
        attr("tableType", "string"),
        attr("provider", "string", { searchWeight: 5 }),
        attr("partitionColumnNames", "array<string>"),
        attr("bucketSpec", "map<string,string>"),
        attr("ownerType", "string"),
        attr("createTime", "date"),
        attr("parameters", "map<string,string>"),
        attr("comment", "string", { searchWeight: 9 }),
        attr("unsupportedFeatures", "array<string>"),
        attr("viewOriginalText", "string", { searchWeight: 9 }),
        attr("schemaDesc", "string", { searchWeight: 5 }),
        attr("partitionProvider", "string"),
      ],
      SPARK,
    ),
    entityDef(
      "spark_column",
      ["DataSet"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("nullable", "boolean"),
        attr("metadata", "string"),
        attr("comment", "string", { searchWeight: 9 }),
      ],
      SPARK,
    ),
    entityDef(
      "spark_ml_directory",
      ["DataSet"],
      [
        attr("uri", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("directory", "string", { required: true, indexed: true, searchWeight: 10 }),
      ],
      SPARK,
    ),
    entityDef(
      "spark_storagedesc",
      ["Referenceable"],
      [
        attr("location", "string", { searchWeight: 10 }),
        attr("inputFormat", "string"),
        attr("outputFormat", "string"),
        attr("serde", "string"),
        attr("compressed", "boolean", { required: true, indexed: true }),
        attr("parameters", "map<string,string>"),
      ],
      SPARK,
    ),
    entityDef("spark_ml_model", ["DataSet"], [attr("extra", "string")], SPARK),
    entityDef(
      "spark_application",
      ["Process"],
      [
        attr("currentUser", "string", { indexed: true, searchWeight: 10 }),
        attr("remoteUser", "string", { indexed: true, searchWeight: 10 }),
      ],
      SPARK,
    ),
    entityDef(
      "spark_process",
      ["Process"],
      [
        attr("executionId", "long", { searchWeight: 10 }),
        attr("currUser", "string", { searchWeight: 10 }),
        attr("remoteUser", "string", { searchWeight: 10 }),
        attr("details", "string"),
        attr("sparkPlanDescription", "string"),
        attr("queryText", "string", { indexed: true }),
      ],
      { ...SPARK, typeVersion: "1.1" },
    ),
    entityDef("spark_column_lineage", ["Process"], [], SPARK),
    entityDef("spark_ml_pipeline", ["DataSet"], [attr("extra", "string")], SPARK),
  ],
  relationshipDefs: [
    relationshipDef(
      "spark_table_db",
      "AGGREGATION",
      ["spark_table", "db", "SINGLE"],
      ["spark_db", "tables", "SET", { container: true }],
      SPARK,
    ),
    relationshipDef(
      "spark_table_columns",
      "COMPOSITION",
      ["spark_table", "columns", "SET", { container: true }],
      ["spark_column", "table", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_table_storagedesc",
      "ASSOCIATION",
      ["spark_table", "sd", "SINGLE"],
      ["spark_storagedesc", "table", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_ml_model_ml_directory",
      "COMPOSITION",
      ["spark_ml_model", "directory", "SINGLE", { container: true }],
      ["spark_ml_directory", "model", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_ml_pipeline_ml_directory",
      "COMPOSITION",
      ["spark_ml_pipeline", "directory", "SINGLE", { container: true }],
      ["spark_ml_directory", "pipeline", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_process_column_lineages",
      "AGGREGATION",
      ["spark_column_lineage", "process", "SINGLE"],
      ["spark_process", "columnLineages", "SET", { container: true }],
      SPARK,
    ),
    relationshipDef(
      "spark_application_processes",
      "AGGREGATION",
      ["spark_application", "processes", "SET", { container: true }],
      ["spark_process", "application", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_ml_model_dataset",
      "ASSOCIATION",
      ["spark_ml_model", "dataset", "SINGLE"],
      ["DataSet", "model", "SINGLE"],
      SPARK,
    ),
    relationshipDef(
      "spark_ml_pipeline_dataset",
      "ASSOCIATION",
      ["spark_ml_pipeline", "dataset", "SINGLE"],
      ["DataSet", "pipeline", "SINGLE"],
      SPARK,
    ),
  ],
};
