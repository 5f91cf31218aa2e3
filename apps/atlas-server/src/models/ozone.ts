/**
 * The Apache Ozone model (`3000-Cloud/3050-ozone-typedefs.json`): the paths the Hive hook
 * emits for tables on `ofs://` and `o3fs://`.
 */
import { attr, entityDef, enumDef, relationshipDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const OZONE = { serviceType: "ozone" };

export const OZONE_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    enumDef("ozone_storage_type", ["RAM_DISK", "SSD", "DISK", "ARCHIVE"], OZONE),
    enumDef("ozone_replication_type", ["RATIS", "STAND_ALONE", "CHAINED"], OZONE),
  ],
  structDefs: [
    structDef(
      "ozone_key_location",
      [
        attr("containerID", "long", { required: true }),
        attr("localID", "long", { required: true }),
        attr("length", "long", { required: true }),
        attr("offset", "long", { required: true }),
      ],
      OZONE,
    ),
  ],
  entityDefs: [
    entityDef("ozone_parent", [], [], OZONE),
    entityDef("ozone_child", [], [], OZONE),
    entityDef(
      "ozone_volume",
      ["DataSet"],
      [
        attr("admin", "string", { indexed: true }),
        attr("quota", "long"),
        attr("creationTime", "date", { indexed: true }),
      ],
      OZONE,
    ),
    entityDef(
      "ozone_bucket",
      ["DataSet", "ozone_parent"],
      [
        attr("storageType", "ozone_storage_type", { indexed: true }),
        attr("versioningEnabled", "boolean"),
        attr("encryptionKeyName", "string", { indexed: true }),
        attr("creationTime", "date", { indexed: true }),
      ],
      OZONE,
    ),
    entityDef(
      "ozone_key",
      ["DataSet", "ozone_parent", "ozone_child"],
      [
        attr("dataSize", "long", { indexed: true }),
        attr("replicationType", "ozone_replication_type", { indexed: true }),
        attr("replicationFactor", "int", { indexed: true }),
        attr("keyLocations", "array<ozone_key_location>"),
        attr("creationTime", "date", { indexed: true }),
      ],
      OZONE,
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "ozone_volume_buckets",
      "COMPOSITION",
      ["ozone_volume", "buckets", "SET", { container: true }],
      ["ozone_bucket", "volume", "SINGLE"],
      OZONE,
    ),
    relationshipDef(
      "ozone_parent_children",
      "COMPOSITION",
      ["ozone_parent", "children", "SET", { container: true }],
      ["ozone_child", "parent", "SINGLE"],
      OZONE,
    ),
  ],
};
