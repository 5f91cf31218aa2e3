/**
 * The model the Impala hook writes (`1000-Hadoop/1090-impala_model.json`): its processes,
 * column lineage and executions, over the Hive tables and columns.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const IMPALA = { serviceType: "impala" };

export const IMPALA_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "impala_process",
      ["Process"],
      [
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("operationType", "string", { required: true, indexed: true }),
        attr("queryText", "string", { required: true, searchWeight: 10 }),
        attr("queryPlan", "string", { required: true }),
        attr("queryId", "string", { required: true }),
        attr("recentQueries", "array<string>", { cardinality: "LIST" }),
        attr("clusterName", "string", { searchWeight: 10, includeInNotification: true }),
        attr("queryGraph", "string"),
      ],
      IMPALA,
    ),
    entityDef(
      "impala_column_lineage",
      ["Process"],
      [attr("dependencyType", "string", { required: true })],
      IMPALA,
    ),
    entityDef(
      "impala_process_execution",
      ["ProcessExecution"],
      [
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("queryText", "string", { required: true, searchWeight: 10 }),
        attr("queryGraph", "string"),
        attr("queryId", "string", { required: true }),
        attr("queryPlan", "string", { required: true }),
        attr("hostName", "string", { required: true, indexed: true }),
      ],
      IMPALA,
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "impala_process_column_lineage",
      "COMPOSITION",
      ["impala_column_lineage", "query", "SINGLE"],
      ["impala_process", "columnLineages", "SET", { container: true }],
      IMPALA,
    ),
    relationshipDef(
      "impala_process_process_executions",
      "COMPOSITION",
      ["impala_process", "processExecutions", "SET", { container: true }],
      ["impala_process_execution", "process", "SINGLE"],
      IMPALA,
    ),
  ],
};
