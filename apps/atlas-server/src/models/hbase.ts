/**
 * The model the HBase hook writes (`1000-Hadoop/1060-hbase_model.json` and its patches):
 * namespace → table → column family → column; a table owns its column families, and a column
 * family its columns.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const HBASE = { serviceType: "hbase" };

export const HBASE_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "hbase_namespace",
      ["Asset"],
      [
        attr("clusterName", "string", {
          required: true,
          indexed: true,
          searchWeight: 8,
          includeInNotification: true,
        }),
        attr("parameters", "map<string,string>"),
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
      ],
      { ...HBASE, typeVersion: "1.2" },
    ),
    entityDef(
      "hbase_table",
      ["DataSet"],
      [
        attr("uri", "string", { required: true, searchWeight: 5 }),
        attr("parameters", "map<string,string>"),
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
        attr("maxFileSize", "long"),
        attr("isReadOnly", "boolean"),
        attr("isCompactionEnabled", "boolean"),
        attr("isNormalizationEnabled", "boolean"),
        attr("replicasPerRegion", "int"),
        attr("durability", "string"),
      ],
      { ...HBASE, typeVersion: "1.5" },
    ),
    entityDef(
      "hbase_column_family",
      ["DataSet"],
      [
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
        attr("bloomFilterType", "string"),
        attr("compressionType", "string"),
        attr("compactionCompressionType", "string"),
        attr("encryptionType", "string"),
        attr("inMemoryCompactionPolicy", "string"),
        attr("keepDeletedCells", "boolean"),
        attr("maxVersions", "int"),
        attr("minVersions", "int"),
        attr("dataBlockEncoding", "string"),
        attr("StoragePolicy", "string"),
        attr("ttl", "int"),
        attr("blockCacheEnabled", "boolean"),
        attr("cacheBloomsOnWrite", "boolean"),
        attr("cacheDataOnWrite", "boolean"),
        attr("cacheIndexesOnWrite", "boolean"),
        attr("evictBlocksOnClose", "boolean"),
        attr("prefetchBlocksOnOpen", "boolean"),
        attr("newVersionBehavior", "boolean"),
        attr("isMobEnabled", "boolean"),
        attr("mobCompactPartitionPolicy", "string"),
      ],
      { ...HBASE, typeVersion: "1.3" },
    ),
    entityDef("hbase_column", ["DataSet"], [], { ...HBASE, typeVersion: "1.1" }),
  ],
  relationshipDefs: [
    relationshipDef(
      "hbase_table_namespace",
      "COMPOSITION",
      ["hbase_table", "namespace", "SINGLE", { legacy: true }],
      ["hbase_namespace", "tables", "SET", { container: true }],
      { ...HBASE, typeVersion: "1.2", relationshipLabel: "__hbase_table.namespace" },
    ),
    relationshipDef(
      "hbase_table_column_families",
      "COMPOSITION",
      ["hbase_table", "column_families", "SET", { container: true, legacy: true }],
      ["hbase_column_family", "table", "SINGLE", { legacy: true }],
      { ...HBASE, typeVersion: "1.2", relationshipLabel: "__hbase_table.column_families" },
    ),
    relationshipDef(
      "hbase_column_family_columns",
      "COMPOSITION",
      ["hbase_column_family", "columns", "SET", { container: true, legacy: true }],
      ["hbase_column", "column_family", "SINGLE", { legacy: true }],
      { ...HBASE, typeVersion: "1.2", relationshipLabel: "__hbase_column_family.columns" },
    ),
  ],
};
