/**
 * The AWS S3 models (`3000-Cloud/3010-aws_common_typedefs.json`, `3020-aws_s3_typedefs.json`,
 * `3030-aws_s3_v2_typedefs.json` and their patches): the paths the Hive hook emits for
 * tables on `s3://` and `s3a://` — `aws_s3_pseudo_dir`/`aws_s3_bucket`, or the v2 types
 * `aws_s3_v2_directory`/`aws_s3_v2_bucket` when the hook is configured for them.
 */
import { attr, entityDef, relationshipDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const AWS = { serviceType: "aws" };

export const AWS_S3_MODEL: Partial<AtlasTypesDef> = {
  structDefs: [
    structDef(
      "aws_tag",
      [
        attr("key", "string", { required: true, indexed: true }),
        attr("value", "string", { required: true }),
      ],
      { ...AWS, typeVersion: "1.1" },
    ),
    structDef(
      "aws_cloud_watch_metric",
      [
        attr("metricName", "string", { required: true, indexed: true }),
        attr("scope", "string", { required: true }),
      ],
      { ...AWS, typeVersion: "1.1" },
    ),
    structDef(
      "aws_s3_bucket_lifeCycleRule",
      [
        attr("ruleType", "string", { required: true, indexed: true }),
        attr("days", "int", { required: true }),
        attr("storageClass", "string", { indexed: true }),
      ],
      { ...AWS, typeVersion: "1.1" },
    ),
    structDef(
      "aws_s3_access_policy",
      [attr("policyString", "string", { required: true, indexed: true })],
      { ...AWS, typeVersion: "1.1" },
    ),
  ],
  entityDefs: [
    entityDef(
      "aws_s3_object",
      ["DataSet"],
      [
        attr("dataType", "string", { indexed: true }),
        attr("compressionType", "string"),
        attr("awsTags", "array<aws_tag>"),
        attr("createTime", "date", { indexed: true }),
        attr("ownerId", "string", { indexed: true, searchWeight: 5 }),
        attr("size", "long", { indexed: true }),
        attr("eTag", "string", { indexed: true, searchWeight: 5 }),
        attr("lastModified", "date", { indexed: true }),
        attr("storageClass", "string", { indexed: true, searchWeight: 5 }),
      ],
      { ...AWS, typeVersion: "1.5" },
    ),
    entityDef(
      "aws_s3_pseudo_dir",
      ["DataSet", "Path"],
      [
        attr("objectPrefix", "string", { required: true, unique: true, searchWeight: 8 }),
        attr("subdomain", "string", { indexed: true, searchWeight: 8 }),
        attr("subject", "string", { indexed: true, searchWeight: 10 }),
        attr("currentStorageLocation", "string", { searchWeight: 5 }),
        attr("dataType", "string", { indexed: true }),
        attr("awsTags", "array<aws_tag>"),
        attr("createTime", "date", { indexed: true }),
      ],
      { ...AWS, typeVersion: "1.5" },
    ),
    entityDef(
      "aws_s3_bucket",
      ["DataSet"],
      [
        attr("partner", "string", { indexed: true }),
        attr("domain", "string", { indexed: true }),
        attr("region", "string"),
        attr("s3AccessPolicies", "array<aws_s3_access_policy>"),
        attr("isEncrypted", "boolean"),
        attr("encryptionType", "string"),
        attr("lifeCycleRules", "array<aws_s3_bucket_lifeCycleRule>"),
        attr("awsTags", "array<aws_tag>"),
        attr("cloudWatchMetrics", "array<aws_cloud_watch_metric>"),
        attr("createtime", "date", { indexed: true }),
        attr("permissions", "string", { indexed: true, searchWeight: 5 }),
        attr("ownerId", "string", { indexed: true, searchWeight: 5 }),
      ],
      { ...AWS, typeVersion: "1.2" },
    ),
    entityDef("aws_s3_v2_container", [], [], AWS),
    entityDef("aws_s3_v2_contained", [], [], AWS),
    entityDef(
      "aws_s3_v2_base",
      ["DataSet"],
      [
        attr("region", "string", { indexed: true }),
        attr("ownerName", "string", { indexed: true, searchWeight: 5 }),
        attr("ownerId", "string"),
        attr("eTag", "string", { indexed: true, searchWeight: 5 }),
        attr("encryption", "string"),
        attr("awsTags", "array<aws_tag>"),
      ],
      AWS,
    ),
    entityDef(
      "aws_s3_v2_object",
      ["aws_s3_v2_base", "aws_s3_v2_contained"],
      [
        attr("lastModifiedTime", "date", { indexed: true }),
        attr("bucketName", "string", { indexed: true, searchWeight: 5 }),
        attr("size", "long"),
        attr("storageClass", "string", { indexed: true, searchWeight: 5 }),
        attr("compressionType", "string"),
        attr("dataType", "string", { indexed: true }),
      ],
      AWS,
    ),
    entityDef(
      "aws_s3_v2_directory",
      ["aws_s3_v2_object", "aws_s3_v2_container", "Path"],
      [
        attr("objectPrefix", "string", { required: true, indexed: true }),
        attr("subdomain", "string", { indexed: true }),
        attr("subject", "string", { indexed: true }),
        attr("storageLocation", "string"),
      ],
      { ...AWS, typeVersion: "1.2" },
    ),
    entityDef(
      "aws_s3_v2_bucket",
      ["aws_s3_v2_base", "aws_s3_v2_container"],
      [
        attr("creationTime", "date", { indexed: true }),
        attr("permissions", "string"),
        attr("partner", "string", { indexed: true, searchWeight: 5 }),
        attr("domain", "string", { indexed: true }),
        attr("s3AccessPolicies", "array<aws_s3_access_policy>"),
        attr("lifeCycleRules", "array<aws_s3_bucket_lifeCycleRule>"),
        attr("cloudWatchMetrics", "array<aws_cloud_watch_metric>"),
        attr("accountId", "string", { indexed: true, searchWeight: 10 }),
      ],
      AWS,
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "aws_s3_bucket_aws_s3_pseudo_dirs",
      "COMPOSITION",
      ["aws_s3_bucket", "pseudoDirectories", "SET", { container: true, legacy: true }],
      ["aws_s3_pseudo_dir", "bucket", "SINGLE", { legacy: true }],
      {
        ...AWS,
        typeVersion: "1.2",
        propagateTags: "ONE_TO_TWO",
        relationshipLabel: "__aws_s3_bucket.pseudoDirectories",
      },
    ),
    relationshipDef(
      "aws_s3_pseudo_dir_aws_objects",
      "COMPOSITION",
      ["aws_s3_pseudo_dir", "s3Objects", "SET", { container: true, legacy: true }],
      ["aws_s3_object", "pseudoDirectory", "SINGLE", { legacy: true }],
      {
        ...AWS,
        typeVersion: "1.2",
        propagateTags: "ONE_TO_TWO",
        relationshipLabel: "__aws_s3_pseudo_dir.s3Objects",
      },
    ),
    relationshipDef(
      "aws_s3_object_avro_schema",
      "ASSOCIATION",
      ["aws_s3_object", "avroSchema", "SINGLE", { legacy: true }],
      ["avro_schema", "s3Objects", "SET"],
      { ...AWS, typeVersion: "1.2", relationshipLabel: "__aws_s3_object.avroSchema" },
    ),
    relationshipDef(
      "aws_s3_pseudo_dir_avro_schema",
      "ASSOCIATION",
      ["aws_s3_pseudo_dir", "avroSchemas", "SET", { legacy: true }],
      ["avro_schema", "s3PseudoDirs", "SET"],
      { ...AWS, typeVersion: "1.2", relationshipLabel: "__aws_s3_pseudo_dir.avroSchemas" },
    ),
    relationshipDef(
      "aws_s3_v2_container_contained",
      "COMPOSITION",
      ["aws_s3_v2_container", "contained", "SET", { container: true }],
      ["aws_s3_v2_contained", "container", "SINGLE"],
      AWS,
    ),
  ],
};
