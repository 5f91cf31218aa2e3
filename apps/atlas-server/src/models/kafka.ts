/** The model the Kafka hook and bridge write (`1070-kafka_model`). */
import { attr, entityDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

export const KAFKA_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "kafka_topic",
      ["DataSet"],
      [
        attr("topic", "string", { required: true, indexed: true }),
        attr("uri", "string", { required: true }),
        attr("partitionCount", "int"),
        attr("replicationFactor", "int"),
        attr("retentionBytes", "long"),
        attr("retentiontimeInHrs", "int"),
        attr("segmentBytes", "long"),
        attr("keyClassname", "string"),
        attr("contactInfo", "string"),
        attr("type", "string"),
      ],
      { serviceType: "kafka" },
    ),
  ],
};
