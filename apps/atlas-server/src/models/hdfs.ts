/** The file-system model (`1020-fs_model`): `hdfs_path`, which Hive lineage points at. */
import { attr, entityDef, enumDef, structDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const FS = "file_system";

export const HDFS_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    enumDef(
      "file_action",
      ["NONE", "EXECUTE", "WRITE", "WRITE_EXECUTE", "READ", "READ_EXECUTE", "READ_WRITE", "ALL"],
      FS,
    ),
  ],
  structDefs: [
    structDef(
      "fs_permissions",
      [
        attr("group", "file_action", { required: true }),
        attr("user", "file_action", { required: true }),
        attr("sticky", "boolean", { required: true }),
        attr("others", "file_action", { required: true }),
      ],
      FS,
    ),
  ],
  entityDefs: [
    entityDef(
      "fs_path",
      ["DataSet"],
      [
        attr("path", "string", { required: true, indexed: true }),
        attr("createTime", "date"),
        attr("modifiedTime", "date"),
        attr("isFile", "boolean"),
        attr("isSymlink", "boolean"),
        attr("fileSize", "long"),
        attr("group", "string"),
        attr("posixPermissions", "fs_permissions"),
      ],
      { serviceType: FS },
    ),
    entityDef(
      "hdfs_path",
      ["fs_path"],
      [
        attr("clusterName", "string", { indexed: true }),
        attr("numberOfReplicas", "int"),
        attr("extendedAttributes", "map<string,string>"),
        attr("nameServiceId", "string"),
      ],
      { serviceType: "hdfs", typeVersion: "1.1" },
    ),
  ],
};
