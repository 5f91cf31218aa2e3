/**
 * The file-system model (`1000-Hadoop/1020-fs_model.json`): `fs_path` (a Path) and
 * `hdfs_path`, which Hive, Impala, Spark and Sqoop lineage points at.
 */
import { attr, entityDef, enumDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const FILE_SYSTEM = { serviceType: "file_system" };

export const FS_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    enumDef(
      "file_action",
      ["NONE", "EXECUTE", "WRITE", "WRITE_EXECUTE", "READ", "READ_EXECUTE", "READ_WRITE", "ALL"],
      { ...FILE_SYSTEM, typeVersion: "1.1" },
    ),
  ],
  structDefs: [
    structDef(
      "fs_permissions",
      [
        attr("group", "file_action", { required: true, indexed: true }),
        attr("user", "file_action", { required: true, indexed: true }),
        attr("sticky", "boolean", { required: true, indexed: true }),
        attr("others", "file_action", { required: true, indexed: true }),
      ],
      { ...FILE_SYSTEM, typeVersion: "1.1" },
    ),
  ],
  entityDefs: [
    entityDef(
      "fs_path",
      ["DataSet", "Path"],
      [
        attr("path", "string", {
          required: true,
          indexed: true,
          searchWeight: 5,
          includeInNotification: true,
        }),
        attr("createTime", "date", { indexed: true }),
        attr("modifiedTime", "date", { indexed: true }),
        attr("isFile", "boolean", { indexed: true }),
        attr("isSymlink", "boolean"),
        attr("fileSize", "long"),
        attr("group", "string", { indexed: true, searchWeight: 9 }),
        attr("posixPermissions", "fs_permissions", { indexed: true, searchWeight: 9 }),
      ],
      { ...FILE_SYSTEM, typeVersion: "1.4" },
    ),
    entityDef(
      "hdfs_path",
      ["fs_path"],
      [
        attr("clusterName", "string", {
          indexed: true,
          searchWeight: 8,
          includeInNotification: true,
        }),
        attr("numberOfReplicas", "int", { indexed: true }),
        attr("extendedAttributes", "map<string,string>"),
        attr("nameServiceId", "string", { searchWeight: 10, includeInNotification: true }),
      ],
      { ...FILE_SYSTEM, typeVersion: "1.4" },
    ),
  ],
};
