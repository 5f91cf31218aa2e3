/**
 * Purge (Atlas's PUT admin/purge): removes entities that are already DELETED, for good, with
 * every relationship row that has one of them at an end. ACTIVE entities and unknown guids are
 * skipped, as Atlas's AtlasEntityStoreV2.purgeByIds skips them. As Atlas's delete handler does
 * when a purge is requested, what a purged entity owns (the other end of a COMPOSITION
 * relationship it contains: a table's columns) is purged with it when it is DELETED too. Each
 * purged entity gets an ENTITY_PURGE audit event; its earlier events stay readable. What other
 * entities' JSON says about a purged entity (a reference by guid) is left as it is, as in Atlas.
 */
import { toHeader, type EntityRecord } from "./entities.js";
import { writePurgeAudits } from "./audit.js";
import type { SqlTx } from "./sql.js";
import type { AtlasEntityHeader } from "./types.js";
import type { TypeRegistry } from "./typesystem.js";

/** Atlas's EntityMutationResponse of a purge: the purged entities under PURGE (absent when none). */
export interface PurgeResponse {
  mutatedEntities: { PURGE?: AtlasEntityHeader[] };
}

interface PurgeMarks {
  tx: SqlTx;
  types: TypeRegistry;
  epoch: number;
  seq: number;
  user: string;
  now: number;
}

/** The DELETED entities `record` owns through COMPOSITION relationships it is the container of. */
async function ownedDeleted(marks: PurgeMarks, record: EntityRecord): Promise<EntityRecord[]> {
  const children: string[] = [];
  for (const r of await marks.tx.relationshipsOf([record.guid], "any")) {
    const def = marks.types.relationshipDef(r.typeName);
    if (def?.relationshipCategory !== "COMPOSITION") continue;
    if (def.endDef1.isContainer && r.end1Guid === record.guid) children.push(r.end2Guid);
    if (def.endDef2.isContainer && r.end2Guid === record.guid) children.push(r.end1Guid);
  }
  return (await marks.tx.entities(children)).filter((c) => c.status === "DELETED");
}

export async function purgeEntities(
  marks: PurgeMarks,
  guids: readonly string[],
): Promise<{ response: PurgeResponse; purged: EntityRecord[] }> {
  const unique = [...new Set(guids)];
  const found = await marks.tx.entities(unique);
  const byGuid = new Map(found.map((r) => [r.guid, r]));
  const purged = unique
    .map((guid) => byGuid.get(guid))
    .filter((r): r is EntityRecord => r !== undefined && r.status === "DELETED");
  const seen = new Set(purged.map((r) => r.guid));
  // Owned entities before their relationships go; breadth first, each once.
  for (let i = 0; i < purged.length; i++) {
    for (const child of await ownedDeleted(marks, purged[i]!)) {
      if (seen.has(child.guid)) continue;
      seen.add(child.guid);
      purged.push(child);
    }
  }
  const db = marks.tx.runner;
  for (const record of purged) {
    await db.run(`DELETE FROM atlas_relationships WHERE end1_guid = @guid OR end2_guid = @guid`, {
      guid: record.guid,
    });
    await db.run(`DELETE FROM atlas_entities WHERE guid = @guid AND status = 'DELETED'`, {
      guid: record.guid,
    });
  }
  await writePurgeAudits(marks, purged);
  return {
    response: { mutatedEntities: purged.length > 0 ? { PURGE: purged.map(toHeader) } : {} },
    purged,
  };
}
