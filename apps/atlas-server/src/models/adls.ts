/**
 * The Azure Data Lake Storage Gen2 model (`3000-Cloud/3040-azure_adls_typedefs.json` and its
 * patches): the paths the Hive hook emits for tables on `abfs://` and `abfss://`.
 */
import { attr, entityDef, enumDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const AZURE = { serviceType: "azure" };

export const ADLS_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    enumDef("adls_gen2_performance", ["Standard", "Premium"], AZURE),
    enumDef("adls_gen2_access_tier", ["Cool", "Hot"], AZURE),
    enumDef("adls_gen2_replication", ["LRS", "ZRS", "GRS", "GZRS", "RA-GRS"], AZURE),
    enumDef("adls_gen2_authentication_method", ["Access Key", "Azure AD User Account"], AZURE),
  ],
  entityDefs: [
    entityDef("adls_gen2_parent", [], [], AZURE),
    entityDef("adls_gen2_child", [], [], AZURE),
    entityDef(
      "adls_gen2_account",
      ["Asset"],
      [
        attr("resourceGroup", "string", { indexed: true }),
        attr("status", "string", { indexed: true }),
        attr("location", "string", { indexed: true }),
        attr("subscription", "string", { indexed: true }),
        attr("tags", "map<string,string>", { searchWeight: 6 }),
        attr("performance", "adls_gen2_performance", { indexed: true }),
        attr("accessTier", "adls_gen2_access_tier", { indexed: true }),
        attr("replication", "adls_gen2_replication", { indexed: true }),
        attr("accountKind", "string", { indexed: true }),
        attr("isSecureTransferRequired", "boolean"),
        attr("isLargeFileSharesEnabled", "boolean"),
        attr("isIdentityBasedAccessForFileSharesEnabled", "boolean"),
        attr("isHierarchicalNamespaceEnabled", "boolean"),
        attr("isNfsV3", "boolean"),
        attr("skuName", "string", { indexed: true }),
      ],
      { ...AZURE, typeVersion: "1.1" },
    ),
    entityDef(
      "adls_gen2_container",
      ["DataSet", "adls_gen2_parent"],
      [
        attr("url", "string", { indexed: true }),
        attr("eTag", "string", { indexed: true }),
        attr("authenticationMethod", "adls_gen2_authentication_method", { indexed: true }),
        attr("additionalProperties", "map<string,string>"),
        attr("lastModifiedTime", "date", { indexed: true }),
        attr("publicAccess", "string", { indexed: true }),
      ],
      { ...AZURE, typeVersion: "1.1" },
    ),
    entityDef(
      "adls_gen2_directory",
      ["DataSet", "adls_gen2_parent", "adls_gen2_child", "Path"],
      [
        attr("eTag", "string", { indexed: true }),
        attr("contentType", "string", { indexed: true }),
        attr("contentEncoding", "string", { indexed: true }),
        attr("contentDisposition", "string", { indexed: true }),
        attr("cacheControl", "string", { indexed: true }),
        attr("lastModifiedTime", "date", { indexed: true }),
        attr("creationTime", "date", { indexed: true }),
        attr("contentLength", "long", { indexed: true }),
        attr("contentMd5", "string", { indexed: true }),
        attr("accessTier", "string", { indexed: true }),
        attr("prefix", "string", { indexed: true }),
        attr("remainingRetentionDays", "long", { indexed: true }),
        attr("type", "string", { indexed: true }),
        attr("additionalProperties", "map<string,string>"),
      ],
      { ...AZURE, typeVersion: "1.3" },
    ),
    entityDef(
      "adls_gen2_blob",
      ["DataSet", "adls_gen2_child"],
      [
        attr("url", "string", { indexed: true }),
        attr("type", "string", { indexed: true }),
        attr("eTag", "string", { indexed: true }),
        attr("contentType", "string", { indexed: true }),
        attr("additionalProperties", "map<string,string>"),
        attr("lastModifiedTime", "date", { indexed: true }),
        attr("creationTime", "date", { indexed: true }),
        attr("contentLength", "long", { indexed: true }),
        attr("contentMd5", "string", { indexed: true }),
        attr("accessTier", "string", { indexed: true }),
        attr("prefix", "string", { indexed: true }),
        attr("remainingRetentionDays", "long", { indexed: true }),
        attr("contentEncoding", "string", { indexed: true }),
        attr("contentDisposition", "string", { indexed: true }),
        attr("cacheControl", "string", { indexed: true }),
      ],
      { ...AZURE, typeVersion: "1.2" },
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "adls_gen2_account_containers",
      "COMPOSITION",
      ["adls_gen2_account", "containers", "SET", { container: true }],
      ["adls_gen2_container", "account", "SINGLE"],
      AZURE,
    ),
    relationshipDef(
      "adls_gen2_parent_children",
      "COMPOSITION",
      ["adls_gen2_parent", "children", "SET", { container: true }],
      ["adls_gen2_child", "parent", "SINGLE"],
      AZURE,
    ),
  ],
};
