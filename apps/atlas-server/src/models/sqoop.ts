/** The model the Sqoop hook writes (`1000-Hadoop/1040-sqoop_model.json`): an import or export and its database. */
import { attr, entityDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const SQOOP = { serviceType: "sqoop" };

export const SQOOP_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "sqoop_process",
      ["Process"],
      [
        attr("operation", "string", { required: true, indexed: true }),
        attr("commandlineOpts", "map<string,string>", { required: true }),
        attr("startTime", "date", { required: true }),
        attr("endTime", "date", { required: true }),
        attr("userName", "string", { indexed: true, searchWeight: 9 }),
      ],
      { ...SQOOP, typeVersion: "1.2" },
    ),
    entityDef(
      "sqoop_dbdatastore",
      ["DataSet"],
      [
        attr("dbStoreType", "string", { required: true, indexed: true }),
        attr("storeUse", "string", { required: true }),
        attr("storeUri", "string", { required: true }),
        attr("source", "string", { indexed: true }),
      ],
      { ...SQOOP, typeVersion: "1.1" },
    ),
  ],
};
