/**
 * Atlas's base model (`0010-base_model`): the supertypes every hook model builds on. The
 * unique `qualifiedName` of Referenceable is the identity hooks upsert by (docs/contracts/hooks.md).
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const SERVICE = "atlas_core";

export const BASE_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "Referenceable",
      [],
      [attr("qualifiedName", "string", { required: true, unique: true })],
      { serviceType: SERVICE },
    ),
    entityDef("__internal", [], [], { serviceType: SERVICE }),
    entityDef(
      "Asset",
      ["Referenceable"],
      [
        attr("name", "string", { required: true, indexed: true }),
        attr("displayName", "string", { indexed: true }),
        attr("description", "string"),
        attr("userDescription", "string", { indexed: true }),
        attr("owner", "string", { indexed: true }),
      ],
      { serviceType: SERVICE, typeVersion: "1.1" },
    ),
    entityDef("DataSet", ["Asset"], [], { serviceType: SERVICE, typeVersion: "1.1" }),
    entityDef("Infrastructure", ["Asset"], [], { serviceType: SERVICE, typeVersion: "1.1" }),
    entityDef(
      "Process",
      ["Asset"],
      [attr("inputs", "array<DataSet>"), attr("outputs", "array<DataSet>")],
      { serviceType: SERVICE, typeVersion: "1.1" },
    ),
    entityDef("ProcessExecution", ["Asset"], [], { serviceType: SERVICE }),
    entityDef(
      "ddl",
      ["Referenceable"],
      [
        attr("queryText", "string", { required: true, indexed: true }),
        attr("execTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("serviceType", "string", { required: true, indexed: true }),
      ],
      { serviceType: SERVICE },
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "dataset_process_inputs",
      "AGGREGATION",
      ["Process", "inputs", "SET", true],
      ["DataSet", "inputToProcesses", "SET"],
      SERVICE,
    ),
    relationshipDef(
      "process_dataset_outputs",
      "AGGREGATION",
      ["Process", "outputs", "SET", true],
      ["DataSet", "outputFromProcesses", "SET"],
      SERVICE,
    ),
  ],
};
