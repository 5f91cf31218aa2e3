/** The catalogue the store's search suites run on (search.test.ts, search-dsl.test.ts). */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import type { MetadataStore } from "../../src/store/types.js";

export const USER = "steward";
/** The stores' clock: entities are created at this time. */
export const NOW = Date.UTC(2026, 5, 15, 12);

const attr = (name: string, typeName: string) => ({
  name,
  typeName,
  isOptional: true,
  cardinality: "SINGLE",
  isUnique: false,
});

const SEARCH_TYPES = {
  enumDefs: [
    {
      name: "search_level",
      elementDefs: [
        { value: "LOW", ordinal: 0 },
        { value: "HIGH", ordinal: 1 },
      ],
    },
  ],
  entityDefs: [
    {
      name: "search_item",
      superTypes: ["DataSet"],
      attributeDefs: [
        attr("size", "long"),
        attr("ratio", "double"),
        attr("flag", "boolean"),
        attr("level", "search_level"),
        attr("tags", "array<string>"),
        attr("born", "date"),
        attr("db", "hive_db"),
      ],
    },
    {
      name: "search_special",
      superTypes: ["search_item"],
      attributeDefs: [attr("extra", "string")],
    },
  ],
  classificationDefs: [
    { name: "PII", superTypes: [], attributeDefs: [attr("level", "int"), attr("note", "string")] },
    { name: "PII_Strict", superTypes: ["PII"], attributeDefs: [] },
    { name: "Finance", superTypes: [], attributeDefs: [] },
  ],
};

const item = (
  name: string,
  attributes: Record<string, unknown>,
  extra: Partial<AtlasEntity> = {},
): AtlasEntity => ({
  typeName: "search_item",
  attributes: { qualifiedName: `${name}@cl1`, name, ...attributes },
  ...extra,
});

export async function seed(store: MetadataStore): Promise<void> {
  await store.createTypedefs(1, SEARCH_TYPES as never, USER);
  const entities: AtlasEntity[] = [
    item(
      "alpha",
      {
        size: 10,
        ratio: 0.5,
        flag: true,
        level: "LOW",
        tags: ["red", "blue"],
        born: NOW - 86_400_000,
        owner: "ann",
        description: "first",
      },
      {
        classifications: [{ typeName: "PII", attributes: { level: 3, note: "mail" } }],
        labels: ["gold"],
        customAttributes: { source: "erp" },
      },
    ),
    item(
      "beta",
      {
        size: 20,
        ratio: 1.5,
        flag: false,
        level: "HIGH",
        tags: ["green"],
        born: NOW - 40 * 86_400_000,
        owner: "bob",
      },
      {
        classifications: [
          { typeName: "PII_Strict", attributes: { level: 7 } },
          { typeName: "Finance" },
        ],
      },
    ),
    item("gamma", { size: 30, level: "HIGH", tags: [] }),
    {
      typeName: "search_special",
      attributes: { qualifiedName: "delta@cl1", name: "delta", size: 40, extra: "x%y" },
    },
    {
      typeName: "hive_db",
      attributes: { qualifiedName: "sales@cl1", name: "sales", clusterName: "cl1" },
    },
  ];
  for (const entity of entities)
    await store.createOrUpdate(1, { entities: [entity], referredEntities: {} }, USER);
}
