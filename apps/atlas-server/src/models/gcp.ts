/**
 * The Google Cloud Storage model (`3000-Cloud/3060-gcp_typedefs.json`): the paths the Hive
 * hook emits for tables on `gs://`.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const GCP = { serviceType: "gcp" };

export const GCP_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef("gcp_storage_parent", [], [], GCP),
    entityDef("gcp_storage_child", [], [], GCP),
    entityDef(
      "gcp_storage_base",
      ["DataSet"],
      [
        attr("creationTime", "date", { indexed: true }),
        attr("lastModifiedTime", "date", { indexed: true }),
        attr("storageClass", "string", { indexed: true }),
        attr("encryption", "string"),
        attr("publicAccess", "string", { indexed: true }),
      ],
      GCP,
    ),
    entityDef(
      "gcp_storage_bucket",
      ["gcp_storage_parent", "gcp_storage_base"],
      [
        attr("location", "string", { indexed: true }),
        attr("locationType", "string", { indexed: true }),
        attr("accessControl", "string"),
        attr("lifecycleRules", "string"),
        attr("labels", "string"),
        attr("retentionPolicy", "string"),
        attr("requesterPays", "boolean"),
      ],
      GCP,
    ),
    entityDef(
      "gcp_storage_object",
      ["gcp_storage_child", "gcp_storage_base"],
      [
        attr("size", "long"),
        attr("type", "string", { indexed: true }),
        attr("retentionExpirationDate", "date", { indexed: true }),
        attr("holds", "string"),
      ],
      GCP,
    ),
    entityDef(
      "gcp_storage_virtual_directory",
      ["gcp_storage_object", "gcp_storage_parent", "Path"],
      [attr("objectPrefix", "string", { indexed: true })],
      GCP,
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "gcp_storage_parent_children",
      "COMPOSITION",
      ["gcp_storage_parent", "children", "SET", { container: true }],
      ["gcp_storage_child", "parent", "SINGLE"],
      GCP,
    ),
  ],
};
