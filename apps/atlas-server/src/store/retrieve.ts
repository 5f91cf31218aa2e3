/**
 * An entity as Atlas's GET returns it (docs/contracts/model.md): attributes, every
 * relationship attribute of its type with both ends shown (`hive_db.tables` as well as
 * `hive_table.db`), Atlas's legacy attributes (`Process.inputs`) from the same relationships,
 * and `referredEntities` holding what it owns (COMPOSITION children, `ownedRef`), in full or,
 * with `minExtInfo`, as minimal entities. A few batched queries per level of ownership.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import {
  forEachRef,
  mapRefs,
  referencedGuids,
  refGuid,
  refTo,
  toStoredEntity,
  type EntityRecord,
} from "./entities.js";
import {
  endGuid,
  endObjectId,
  otherEnd,
  relatedObjectId,
  type RelationshipRecord,
} from "./relationships.js";
import { withReceived } from "./propagation.js";
import type { SqlTx } from "./sql.js";
import type { EntityWithReferred, StoredEntity } from "./types.js";
import type { RelationshipEnd, TypeRegistry } from "./typesystem.js";

export interface RetrieveOptions {
  /** referredEntities as minimal entities (unique attributes, name), without their own references. */
  minExtInfo?: boolean;
  /** No relationshipAttributes, and no referred entities reached through relationships. */
  ignoreRelationships?: boolean;
}

/** A bound on referredEntities: an entity that owns more is answered with the first ones. */
const MAX_REFERRED = 10_000;
const MIN_ATTRIBUTES = ["qualifiedName", "name"];

interface Rendered {
  entity: StoredEntity;
  /** Guids of the entities it owns. */
  owned: string[];
}

export async function retrieveEntity(
  tx: SqlTx,
  types: TypeRegistry,
  root: EntityRecord,
  options: RetrieveOptions = {},
): Promise<EntityWithReferred> {
  const referred: Record<string, StoredEntity> = {};
  const seen = new Set([root.guid]);
  let entity: StoredEntity | undefined;
  let level: EntityRecord[] = [root];
  while (level.length > 0) {
    const rendered = await renderLevel(tx, types, level, options);
    const next: string[] = [];
    for (const [i, record] of level.entries()) {
      const { entity: json, owned } = rendered[i]!;
      if (record === root) entity = json;
      else referred[record.guid] = options.minExtInfo ? minimal(record) : json;
      for (const guid of owned) {
        if (seen.has(guid) || seen.size >= MAX_REFERRED) continue;
        seen.add(guid);
        next.push(guid);
      }
    }
    // With minExtInfo Atlas adds the owned entities in their minimal form and stops there.
    if (options.minExtInfo && level[0] !== root) break;
    level = await tx.entities(next);
  }
  // Classifications other entities propagate here, after the entity's own (propagation.ts).
  await withReceived(tx, [entity!, ...Object.values(referred)]);
  return { entity: entity!, referredEntities: referred };
}

function minimal(record: EntityRecord): StoredEntity {
  const attributes: Record<string, JsonValue> = {};
  for (const name of MIN_ATTRIBUTES) {
    const v = record.attributes[name];
    if (v !== undefined && v !== null) attributes[name] = v;
  }
  const { relationshipAttributes: _omitted, ...rest } = toStoredEntity(record);
  return { ...rest, attributes } as StoredEntity;
}

/** The relationships of an entity to show: all of an ACTIVE one (deleted ones with their status, as Atlas). */
async function renderLevel(
  tx: SqlTx,
  types: TypeRegistry,
  records: EntityRecord[],
  options: RetrieveOptions,
): Promise<Rendered[]> {
  const guids = records.map((r) => r.guid);
  const relationships = options.ignoreRelationships ? [] : await tx.relationshipsOf(guids, "any");
  const wanted = new Set<string>();
  for (const record of records) for (const g of referencedGuids(record)) wanted.add(g);
  for (const r of relationships) {
    wanted.add(r.end1Guid);
    wanted.add(r.end2Guid);
  }
  const byGuid = new Map(records.map((r) => [r.guid, r]));
  const missing = [...wanted].filter((g) => !byGuid.has(g));
  for (const r of await tx.entities(missing)) byGuid.set(r.guid, r);
  const out: Rendered[] = [];
  for (const record of records) {
    const mine = relationships.filter(
      (r) => r.end1Guid === record.guid || r.end2Guid === record.guid,
    );
    out.push(await render(types, record, mine, byGuid, options));
  }
  return out;
}

async function render(
  types: TypeRegistry,
  record: EntityRecord,
  relationships: RelationshipRecord[],
  byGuid: Map<string, EntityRecord>,
  options: RetrieveOptions,
): Promise<Rendered> {
  const info = types.isEntityType(record.typeName) ? types.entityType(record.typeName) : undefined;
  const owned: string[] = [];
  // Attribute values as stored, their references showing the current qualifiedName.
  const refresh = async (values: Record<string, JsonValue>): Promise<Record<string, JsonValue>> => {
    const out: Record<string, JsonValue> = {};
    for (const [name, value] of Object.entries(values)) {
      out[name] = await mapRefs(value, async (ref) => {
        const guid = refGuid(ref);
        const target = guid === undefined ? undefined : byGuid.get(guid);
        const extra: Record<string, JsonValue> =
          typeof ref.relationshipType === "string"
            ? { relationshipType: ref.relationshipType }
            : {};
        return target ? refTo(target, extra) : (ref as unknown as JsonValue);
      });
      if (info?.ownedAttributes.has(name))
        forEachRef(value, (ref) => {
          const guid = refGuid(ref);
          if (guid !== undefined) owned.push(guid);
        });
    }
    return out;
  };
  const attributes = await refresh(record.attributes);
  const stored = await refresh(record.relationshipAttributes);
  const entity = toStoredEntity({ ...record, attributes });
  if (options.ignoreRelationships || !info) {
    if (options.ignoreRelationships)
      delete (entity as Partial<StoredEntity>).relationshipAttributes;
    else entity.relationshipAttributes = stored;
    return { entity, owned };
  }
  const relationshipAttributes: Record<string, JsonValue> = { ...stored };
  for (const [name, ends] of info.relationshipAttributes) {
    const at = relationships.filter((r) => ends.some((e) => atEnd(r, e, record.guid)));
    // Written before relationships were kept: the entity's JSON copy is all there is.
    if (at.length === 0 && (stored[name] !== undefined || attributes[name] !== undefined)) continue;
    const related: Record<string, JsonValue>[] = [];
    const legacy: Record<string, JsonValue>[] = [];
    for (const r of order(at)) {
      const other = byGuid.get(otherEnd(r, record.guid));
      if (!other) continue;
      related.push(relatedObjectId(other, r));
      if (r.status === "ACTIVE") legacy.push(endObjectId(other));
      if (ends.some((e) => e.isContainer && e.relationshipType === r.typeName))
        owned.push(other.guid);
    }
    const single = ends[0]!.cardinality === "SINGLE";
    relationshipAttributes[name] = single ? (related[0] ?? null) : related;
    if (ends[0]!.legacy) attributes[name] = single ? (legacy[0] ?? null) : legacy;
  }
  entity.relationshipAttributes = relationshipAttributes;
  return { entity, owned };
}

function atEnd(r: RelationshipRecord, end: RelationshipEnd, guid: string): boolean {
  return r.typeName === end.relationshipType && endGuid(r, end.end) === guid;
}

/** ACTIVE first (a single-valued attribute shows its live relationship), then in the order they were made. */
function order(relationships: RelationshipRecord[]): RelationshipRecord[] {
  return [...relationships].sort(
    (a, b) =>
      (a.status === "ACTIVE" ? 0 : 1) - (b.status === "ACTIVE" ? 0 : 1) ||
      a.createSeq - b.createSeq ||
      a.createOrd - b.createOrd,
  );
}
