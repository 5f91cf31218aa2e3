/** The model the Storm hook writes (`1000-Hadoop/1080-storm_model.json`): a topology and its spouts and bolts. */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasTypesDef } from "./typedefs.js";

const STORM = { serviceType: "storm" };

export const STORM_MODEL: Partial<AtlasTypesDef> = {
  entityDefs: [
    entityDef(
      "storm_topology",
      ["Process"],
      [
        attr("id", "string", { required: true, unique: true }),
        attr("startTime", "date"),
        attr("endTime", "date"),
        attr("conf", "map<string,string>"),
        attr("clusterName", "string", {
          indexed: true,
          searchWeight: 8,
          includeInNotification: true,
        }),
      ],
      { ...STORM, typeVersion: "1.2" },
    ),
    entityDef(
      "storm_node",
      [],
      [
        attr("name", "string", { required: true, indexed: true, searchWeight: 10 }),
        attr("description", "string", { indexed: true, searchWeight: 10 }),
        attr("driverClass", "string", { required: true, indexed: true, searchWeight: 8 }),
        attr("conf", "map<string,string>"),
      ],
      { ...STORM, typeVersion: "1.4" },
    ),
    entityDef(
      "storm_spout",
      ["storm_node"],
      [attr("outputs", "array<string>", { required: true, cardinality: "LIST" })],
      { ...STORM, typeVersion: "1.1" },
    ),
    entityDef(
      "storm_bolt",
      ["storm_node"],
      [
        attr("inputs", "array<string>", { required: true, cardinality: "LIST" }),
        attr("outputs", "array<string>"),
      ],
      { ...STORM, typeVersion: "1.1" },
    ),
  ],
  relationshipDefs: [
    relationshipDef(
      "storm_topology_nodes",
      "ASSOCIATION",
      ["storm_topology", "nodes", "SET", { legacy: true }],
      ["storm_node", "topolgies", "SET"],
      { ...STORM, typeVersion: "1.2", relationshipLabel: "__storm_topology.nodes" },
    ),
  ],
};
