// What the checks share: how many examples a report lists, and counting the store's entities.
import type { MetadataStore } from "@atlas-ha/atlas-server";

/** Lists in the report are cut at this many examples; counts are always complete. */
export const EXAMPLES = 20;

/** qualifiedName → how many entities (ACTIVE or DELETED) carry it, among those matching `suffix`. */
export async function countByQualifiedName(
  store: MetadataStore,
  suffix: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let offset = 0; ; offset += 10_000) {
    const page = await store.searchBasic({
      typeName: "hive_db",
      query: suffix,
      limit: 10_000,
      offset,
      excludeDeletedEntities: false,
    });
    for (const e of page.entities) {
      const raw = e.attributes.qualifiedName;
      const qn = typeof raw === "string" ? raw : JSON.stringify(raw);
      counts.set(qn, (counts.get(qn) ?? 0) + 1);
    }
    if (page.entities.length < 10_000) return counts;
  }
}
