/** The model the HBase hook writes (`1060-hbase_model`): namespace → table → column family. */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const HBASE = "hbase";
const hbase = { serviceType: HBASE };

export const HBASE_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "hbase_namespace",
      ["Asset"],
      [
        attr("clusterName", "string", { required: true, indexed: true }),
        attr("parameters", "map<string,string>"),
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
      ],
      hbase,
    ),
    entityDef(
      "hbase_table",
      ["DataSet"],
      [
        attr("uri", "string", { required: true }),
        attr("parameters", "map<string,string>"),
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
        attr("maxFileSize", "long"),
        attr("isReadOnly", "boolean"),
        attr("isCompactionEnabled", "boolean"),
        attr("isNormalizationEnabled", "boolean"),
        attr("durability", "string"),
      ],
      { ...hbase, typeVersion: "1.1" },
    ),
    entityDef(
      "hbase_column_family",
      ["DataSet"],
      [
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
        attr("maxVersions", "int"),
        attr("minVersions", "int"),
        attr("compressionType", "string"),
        attr("blockCacheEnabled", "boolean"),
        attr("inMemoryCompactionPolicy", "string"),
        attr("keepDeletedCells", "boolean"),
        attr("ttl", "int"),
      ],
      hbase,
    ),
    entityDef("hbase_column", ["DataSet"], [], hbase),
  ],
  relationshipDefs: [
    relationshipDef(
      "hbase_table_namespace",
      "COMPOSITION",
      ["hbase_table", "namespace", "SINGLE"],
      ["hbase_namespace", "tables", "SET", true],
      HBASE,
    ),
    relationshipDef(
      "hbase_table_column_families",
      "COMPOSITION",
      ["hbase_table", "column_families", "SET", true],
      ["hbase_column_family", "table", "SINGLE"],
      HBASE,
    ),
    relationshipDef(
      "hbase_column_family_columns",
      "COMPOSITION",
      ["hbase_column_family", "columns", "SET", true],
      ["hbase_column", "column_family", "SINGLE"],
      HBASE,
    ),
  ],
};
