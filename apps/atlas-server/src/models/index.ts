/**
 * The types the server starts with (docs/contracts/http.md): Atlas's base types and the models the common
 * hooks write to. The store seeds every one that is missing when it migrates.
 */
import { BASE_MODEL } from "./base.js";
import { HBASE_MODEL } from "./hbase.js";
import { HDFS_MODEL } from "./hdfs.js";
import { HIVE_MODEL } from "./hive.js";
import { KAFKA_MODEL } from "./kafka.js";
import { emptyTypesDef, type AtlasTypesDef } from "./typedefs.js";

export * from "./typedefs.js";

/** Models in dependency order: a supertype comes before its subtypes. */
const MODELS = [BASE_MODEL, HDFS_MODEL, HIVE_MODEL, HBASE_MODEL, KAFKA_MODEL];

export function builtinTypedefs(): AtlasTypesDef {
  const all = emptyTypesDef();
  for (const model of MODELS) {
    for (const key of Object.keys(all) as (keyof AtlasTypesDef)[]) {
      (all[key] as unknown[]).push(...structuredClone((model[key] as unknown[] | undefined) ?? []));
    }
  }
  return all;
}
