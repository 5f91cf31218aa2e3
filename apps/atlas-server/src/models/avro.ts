/**
 * The Avro schema model (`1000-Hadoop/1065-avro_model.json`): shipped because Kafka topics
 * and S3 objects relate to their Avro schemas (`kafka_topic_avroSchema`, `aws_s3_*_avro_schema`).
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const AVRO = { serviceType: "avro" };

export const AVRO_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef("avro_type", ["DataSet"], [], { ...AVRO, typeVersion: "1.1" }),
    entityDef(
      "avro_field",
      ["avro_type"],
      [attr("doc", "string", { indexed: true, searchWeight: 9 }), attr("default", "string")],
      { ...AVRO, typeVersion: "1.2" },
    ),
    entityDef(
      "avro_record",
      ["avro_type"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("doc", "string", { indexed: true, searchWeight: 9 }),
        attr("avro_notation", "string", { searchWeight: 5 }),
        attr("versionId", "int", { indexed: true }),
        attr("isLatest", "string", { indexed: true }),
        attr("avroClass", "string", { indexed: true, searchWeight: 8 }),
      ],
      { ...AVRO, typeVersion: "1.4" },
    ),
    entityDef(
      "avro_schema",
      ["avro_record"],
      [attr("namespace", "string", { required: true, indexed: true, searchWeight: 8 })],
      { ...AVRO, typeVersion: "1.2" },
    ),
    entityDef("avro_primitive", ["avro_type"], [], { ...AVRO, typeVersion: "1.1" }),
    entityDef("avro_fixed", ["avro_type"], [], { ...AVRO, typeVersion: "1.1" }),
    entityDef(
      "avro_enum",
      ["avro_type"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("symbols", "array<string>", { required: true }),
      ],
      { ...AVRO, typeVersion: "1.1" },
    ),
    entityDef(
      "avro_collection",
      ["avro_type"],
      [
        attr("type", "string", { required: true, indexed: true }),
        attr("items", "array<string>", { required: true }),
      ],
      { ...AVRO, typeVersion: "1.1" },
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "avro_schema_associatedEntities",
      "ASSOCIATION",
      ["avro_schema", "associatedEntities", "SET", { legacy: true }],
      ["DataSet", "schema", "SET"],
      { ...AVRO, typeVersion: "1.2", relationshipLabel: "__avro_schema.associatedEntities" },
    ),
    relationshipDef(
      "avro_record_fields",
      "AGGREGATION",
      ["avro_record", "fields", "SET", { container: true, legacy: true }],
      ["avro_field", "record", "SINGLE"],
      { ...AVRO, typeVersion: "1.2", relationshipLabel: "__avro_record.fields" },
    ),
    relationshipDef(
      "avro_field_types",
      "ASSOCIATION",
      ["avro_field", "type", "SET", { legacy: true }],
      ["avro_type", "field", "SINGLE"],
      { ...AVRO, typeVersion: "1.2", relationshipLabel: "__avro_field.type" },
    ),
  ],
};
