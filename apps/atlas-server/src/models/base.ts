/**
 * Atlas's base model (`0000-Area0/0010-base_model.json` and its patches): the supertypes every
 * hook model builds on, and the lineage relationships of Process. The unique `qualifiedName`
 * of Referenceable is the identity hooks upsert by (docs/contracts/hooks.md). Atlas's own
 * bookkeeping types (`__AtlasUserProfile`, `__AtlasAuditEntry`, …) are not shipped: this
 * server has no saved searches or audit API. The glossary model is glossary.ts.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const ATLAS_CORE = { serviceType: "atlas_core" };

export const BASE_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "Referenceable",
      [],
      [
        attr("qualifiedName", "string", { required: true, unique: true, searchWeight: 10 }),
        attr("replicatedFrom", "array<AtlasServer>", {
          cardinality: "SET",
          options: { isSoftReference: "true" },
        }),
        attr("replicatedTo", "array<AtlasServer>", {
          cardinality: "SET",
          options: { isSoftReference: "true" },
        }),
      ],
      { ...ATLAS_CORE, typeVersion: "1.3" },
    ),
    entityDef("__internal", [], [], { ...ATLAS_CORE, typeVersion: "1.1" }),
    entityDef(
      "Asset",
      ["Referenceable"],
      [
        attr("name", "string", {
          required: true,
          indexed: true,
          searchWeight: 10,
          indexType: "STRING",
        }),
        attr("description", "string", { searchWeight: 9 }),
        attr("owner", "string", { indexed: true, searchWeight: 9, indexType: "STRING" }),
        attr("displayName", "string", { indexed: true, indexType: "STRING" }),
        attr("userDescription", "string", { indexed: true, indexType: "STRING" }),
      ],
      { ...ATLAS_CORE, typeVersion: "1.6" },
    ),
    entityDef(
      "ddl",
      ["Referenceable"],
      [
        attr("queryText", "string", { required: true }),
        attr("execTime", "date", { required: true }),
        attr("userName", "string", { required: true, indexed: true }),
        attr("serviceType", "string", { required: true, indexed: true }),
      ],
      { ...ATLAS_CORE, typeVersion: "1.1" },
    ),
    entityDef("DataSet", ["Asset"], [], { ...ATLAS_CORE, typeVersion: "1.2" }),
    entityDef("Infrastructure", ["Asset"], [], { ...ATLAS_CORE, typeVersion: "1.2" }),
    entityDef(
      "Process",
      ["Asset"],
      [
        attr("inputs", "array<DataSet>", { cardinality: "SET" }),
        attr("outputs", "array<DataSet>", { cardinality: "SET" }),
      ],
      { ...ATLAS_CORE, typeVersion: "1.2" },
    ),
    entityDef("Path", ["DataSet"], [], ATLAS_CORE),
    entityDef(
      "AtlasServer",
      [],
      [
        attr("name", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("displayName", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("fullName", "string", { required: true, unique: true, searchWeight: 10 }),
        attr("urls", "array<string>"),
        attr("additionalInfo", "map<string,string>"),
      ],
      { ...ATLAS_CORE, typeVersion: "1.4" },
    ),
    entityDef("ProcessExecution", ["Asset"], [], ATLAS_CORE),
  ],
  relationshipDefs: [
    relationshipDef(
      "dataset_process_inputs",
      "AGGREGATION",
      ["Process", "inputs", "SET", { container: true, legacy: true }],
      ["DataSet", "inputToProcesses", "SET"],
      { ...ATLAS_CORE, typeVersion: "1.1", propagateTags: "TWO_TO_ONE" },
    ),
    relationshipDef(
      "process_dataset_outputs",
      "AGGREGATION",
      ["Process", "outputs", "SET", { container: true, legacy: true }],
      ["DataSet", "outputFromProcesses", "SET"],
      { ...ATLAS_CORE, typeVersion: "1.1", propagateTags: "ONE_TO_TWO" },
    ),
  ],
};
