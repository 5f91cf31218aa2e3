/**
 * A small catalogue for the search suites (HTTP, Python client, Java client), written through
 * the REST API of a running server: a DataSet subtype with typed attributes, two
 * classifications, a hive_db with two tables, and a relationship between them.
 */
import { atlasCall } from "@atlas-ha/testkit";

const attr = (name: string, typeName: string) => ({
  name,
  typeName,
  isOptional: true,
  cardinality: "SINGLE",
  isUnique: false,
});

export const SEARCH_SEED_TYPES = {
  enumDefs: [
    {
      name: "sx_level",
      elementDefs: [
        { value: "LOW", ordinal: 0 },
        { value: "HIGH", ordinal: 1 },
      ],
    },
  ],
  entityDefs: [
    {
      name: "sx_item",
      superTypes: ["DataSet"],
      attributeDefs: [
        attr("size", "long"),
        attr("level", "sx_level"),
        attr("tags", "array<string>"),
      ],
    },
  ],
  classificationDefs: [
    { name: "SX_PII", superTypes: [], attributeDefs: [attr("level", "int")] },
    { name: "SX_Finance", superTypes: [], attributeDefs: [] },
  ],
};

export interface SearchSeed {
  guids: Record<string, string>;
}

/** Creates the types and entities; the guids by name (`alpha`, `beta`, `gamma`, `sales`, `orders`, `refunds`). */
export async function seedSearch(url: string): Promise<SearchSeed> {
  const types = await atlasCall(url, "POST", "/api/atlas/v2/types/typedefs", SEARCH_SEED_TYPES);
  if (types.status !== 200) throw new Error(`typedefs: ${types.status} ${types.text}`);
  const item = (name: string, attributes: Record<string, unknown>, extra = {}) => ({
    typeName: "sx_item",
    attributes: { qualifiedName: `${name}@sx`, name, ...attributes },
    ...extra,
  });
  const table = (name: string) => ({
    typeName: "hive_table",
    attributes: { qualifiedName: `sales.${name}@sx`, name, owner: "etl" },
    relationshipAttributes: {
      db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@sx" } },
    },
  });
  const entities = [
    item(
      "alpha",
      { size: 10, level: "LOW", tags: ["red"], owner: "ann" },
      { classifications: [{ typeName: "SX_PII", attributes: { level: 3 } }], labels: ["gold"] },
    ),
    item(
      "beta",
      { size: 20, level: "HIGH", tags: ["green"], owner: "bob" },
      { classifications: [{ typeName: "SX_Finance" }] },
    ),
    item("gamma", { size: 30, level: "HIGH", tags: [] }),
    {
      typeName: "hive_db",
      attributes: { qualifiedName: "sales@sx", name: "sales", clusterName: "sx" },
    },
  ];
  for (const entity of [...entities, table("orders"), table("refunds")]) {
    const r = await atlasCall(url, "POST", "/api/atlas/v2/entity", { entity });
    if (r.status !== 200) throw new Error(`entity: ${r.status} ${r.text}`);
  }
  const guids: Record<string, string> = {};
  const all = await atlasCall(
    url,
    "GET",
    "/api/atlas/v2/search/basic?typeName=_ALL_ENTITY_TYPES&query=*&limit=1000",
  );
  for (const e of (all.json as { entities: { guid: string; displayText: string }[] }).entities)
    guids[e.displayText] = e.guid;
  return { guids };
}
