/**
 * The types the server starts with (docs/contracts/http.md): Atlas's published models for the
 * hooks and bridges users run, as a fresh Atlas 2.x server has them after it applied the
 * patches of addons/models (test/models/atlas-models.test.ts checks them against Atlas's
 * files). The store seeds every one that is missing, and adds what a newer server added to
 * one it seeded before, when it migrates.
 */
import { ADLS_MODEL } from "./adls.js";
import { AVRO_MODEL } from "./avro.js";
import { AWS_S3_MODEL } from "./aws-s3.js";
import { BASE_MODEL } from "./base.js";
import { FLINK_MODEL } from "./flink.js";
import { FS_MODEL } from "./fs.js";
import { GCP_MODEL } from "./gcp.js";
import { GLOSSARY_MODEL } from "./glossary.js";
import { HBASE_MODEL } from "./hbase.js";
import { HIVE_MODEL } from "./hive.js";
import { IMPALA_MODEL } from "./impala.js";
import { KAFKA_MODEL } from "./kafka.js";
import { OZONE_MODEL } from "./ozone.js";
import { SPARK_MODEL } from "./spark.js";
import { SQOOP_MODEL } from "./sqoop.js";
import { STORM_MODEL } from "./storm.js";
import { emptyTypesDef, type AtlasTypesDef } from "./typedefs.js";

export * from "./typedefs.js";

/** Models in Atlas's loading order (addons/models/): a supertype comes before its subtypes. */
const MODELS = [
  BASE_MODEL,
  GLOSSARY_MODEL,
  FS_MODEL,
  HIVE_MODEL,
  SQOOP_MODEL,
  HBASE_MODEL,
  AVRO_MODEL,
  KAFKA_MODEL,
  STORM_MODEL,
  IMPALA_MODEL,
  SPARK_MODEL,
  FLINK_MODEL,
  AWS_S3_MODEL,
  ADLS_MODEL,
  OZONE_MODEL,
  GCP_MODEL,
];

export function builtinTypedefs(): AtlasTypesDef {
  const all = emptyTypesDef();
  for (const model of MODELS) {
    for (const key of Object.keys(all) as (keyof AtlasTypesDef)[]) {
      (all[key] as unknown[]).push(...structuredClone((model[key] as unknown[] | undefined) ?? []));
    }
  }
  return all;
}
