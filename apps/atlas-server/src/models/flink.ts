/**
 * The Flink model (`1000-Hadoop/1110-flink_model.json`). Atlas's file lists
 * `flink_application_processes` among the entityDefs, so Atlas creates it as an entity type
 * without supertypes or attributes, not as a relationship; shipped as Atlas serves it.
 */
import { attr, entityDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const FLINK = { serviceType: "flink" };

export const FLINK_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "flink_application",
      ["Process"],
      [
        attr("id", "string", { required: true, unique: true }),
        attr("startTime", "date"),
        attr("endTime", "date"),
        attr("conf", "map<string,string>"),
      ],
      FLINK,
    ),
    entityDef(
      "flink_process",
      ["Process"],
      [
        attr("id", "string", { required: true, unique: true }),
        attr("startTime", "date"),
        attr("endTime", "date"),
        attr("conf", "map<string,string>"),
      ],
      FLINK,
    ),
    entityDef("flink_application_processes", [], [], FLINK),
  ],
};
