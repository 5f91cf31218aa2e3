/** The model the Kafka hook and bridge write (`1000-Hadoop/1070-kafka_model.json` and its patches). */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const KAFKA = { serviceType: "kafka" };

export const KAFKA_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "kafka_topic",
      ["DataSet"],
      [
        attr("topic", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("uri", "string", { required: true, searchWeight: 5 }),
        attr("replicationFactorNational", "int"),
        attr("replicationFactorLocal", "int"),
        attr("retentionBytesNational", "long"),
        attr("segmentBytesNational", "long"),
        attr("segmentBytesLocal", "long"),
        attr("contactInfo", "string", { searchWeight: 8 }),
        attr("type", "string", { searchWeight: 10 }),
        attr("partitionCountLocal", "int"),
        attr("partitionCountNational", "int"),
        attr("retentionBytesLocal", "long"),
        attr("retentiontimeLocalInHrs", "int"),
        attr("retentiontimeNationalInHrs", "int"),
        attr("desiredRetentionInHrs", "int"),
        attr("keyClassname", "string", { searchWeight: 9 }),
        attr("numberOfEventsPerDay", "long"),
        attr("maxThroughputPerSec", "long"),
        attr("avgMessageSizeInBytes", "long"),
        attr("partitionCount", "int", { indexed: true }),
        attr("replicationFactor", "int", { indexed: true }),
      ],
      { ...KAFKA, typeVersion: "1.8" },
    ),
    entityDef(
      "jms_topic",
      ["DataSet"],
      [
        attr("topic", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("uri", "string", { required: true, searchWeight: 10 }),
      ],
      { ...KAFKA, typeVersion: "1.3" },
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "kafka_topic_avroSchema",
      "ASSOCIATION",
      ["kafka_topic", "avroSchema", "SET", { legacy: true }],
      ["avro_type", "kafka_topics_references", "SET"],
      { ...KAFKA, typeVersion: "1.2", relationshipLabel: "__kafka_topic.avroSchema" },
    ),
  ],
};
