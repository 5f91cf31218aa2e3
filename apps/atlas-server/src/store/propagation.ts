/**
 * Classification propagation, as Atlas's EntityGraphMapper / DeleteHandlerV1 do it
 * (docs/contracts/model.md, "Classification propagation"), computed inside the fenced write
 * transaction of the change that causes it and materialised in atlas_propagations:
 *
 * - a classification with `propagate: true` reaches every entity a walk from its entity
 *   reaches over ACTIVE relationships, each crossed only in the direction its propagateTags
 *   allow (the relationship's own value, else its relationshipDef's: ONE_TO_TWO end1 → end2,
 *   TWO_TO_ONE end2 → end1, BOTH, NONE) and only when it does not block that classification;
 *   entity types the classificationDef's `entityTypes` exclude are walked through, not tagged;
 * - adding it (or turning `propagate` on) adds the walk's entities; removing it (or turning
 *   `propagate` off) removes every propagation of it; a new relationship adds what now
 *   reaches across it;
 * - as Atlas's soft delete: deleting a relationship or an entity leaves propagations in
 *   place, except that deleting the source entity removes its classifications' propagations
 *   when they have `removePropagationsOnEntityDelete`;
 * - changing a relationship's propagateTags or blocked classifications re-evaluates the
 *   classifications that can cross it (propagation-relationship.ts).
 *
 * The walk is breadth-first with a visited set (cycles end) and stops at
 * MAX_PROPAGATION_TARGETS entities.
 */
import type { AtlasClassification } from "@atlas-ha/atlas-model";
import { contentClassifications, type EntityRecord } from "./entities.js";
import { classificationAppliesTo, classificationEntityTypes } from "./extras.js";
import type { RelationshipSettings } from "./propagation-sql.js";
import type { RelationshipRecord } from "./relationships.js";
import type { SqlTx } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";

/** A bound on one walk: a classification reaches at most this many entities. */
export const MAX_PROPAGATION_TARGETS = 50_000;

export const PROPAGATE_TAGS = ["NONE", "ONE_TO_TWO", "TWO_TO_ONE", "BOTH"] as const;
export type PropagateTags = (typeof PROPAGATE_TAGS)[number];

/** A classification at its source entity: what propagates. */
export interface PropagationSource {
  sourceGuid: string;
  name: string;
}

const key = (p: PropagationSource) => `${p.sourceGuid}\u0000${p.name}`;

/** The propagateTags a relationship has: its own setting, else its relationshipDef's. */
export function effectiveTags(
  types: TypeRegistry,
  relationshipType: string,
  settings: RelationshipSettings | undefined,
): PropagateTags {
  const value = settings?.propagateTags ?? types.relationshipDef(relationshipType)?.propagateTags;
  return (PROPAGATE_TAGS as readonly string[]).includes(value ?? "")
    ? (value as PropagateTags)
    : "NONE";
}

/** The ends a classification crosses a relationship from, given its propagateTags. */
export function fromEnds(r: RelationshipRecord, tags: PropagateTags): [string, string][] {
  const out: [string, string][] = [];
  if (tags === "ONE_TO_TWO" || tags === "BOTH") out.push([r.end1Guid, r.end2Guid]);
  if (tags === "TWO_TO_ONE" || tags === "BOTH") out.push([r.end2Guid, r.end1Guid]);
  return out;
}

export function isBlocked(settings: RelationshipSettings | undefined, p: PropagationSource) {
  return (settings?.blocked ?? []).some(
    (b) => b.typeName === p.name && b.entityGuid === p.sourceGuid,
  );
}

/** A change to one relationship's settings the walk should see before it is stored. */
export interface SettingsOverride {
  relationshipGuid: string;
  settings: RelationshipSettings;
}

/** The entities a walk from the source reaches (not the source itself). */
export async function walk(
  tx: SqlTx,
  types: TypeRegistry,
  p: PropagationSource,
  override?: SettingsOverride,
): Promise<Set<string>> {
  const reached = new Set<string>();
  const visited = new Set([p.sourceGuid]);
  let frontier = [p.sourceGuid];
  // Only relationships whose def propagates can (a NONE def allows NONE only); the settings
  // table holds the few relationships someone changed, read once.
  const propagatingTypes = types
    .all()
    .filter((e) => e.category === "RELATIONSHIP")
    .filter((e) => effectiveTags(types, e.def.name, undefined) !== "NONE")
    .map((e) => e.def.name);
  const settings = await tx.propagation.settings();
  if (override) settings.set(override.relationshipGuid, override.settings);
  while (frontier.length > 0 && reached.size < MAX_PROPAGATION_TARGETS) {
    const relationships = await tx.relationshipsOf(frontier, "any", {
      activeOnly: true,
      types: propagatingTypes,
    });
    const here = new Set(frontier);
    const next: string[] = [];
    for (const r of relationships) {
      const own = settings.get(r.guid);
      if (isBlocked(own, p)) continue;
      for (const [from, to] of fromEnds(r, effectiveTags(types, r.typeName, own))) {
        if (!here.has(from) || visited.has(to)) continue;
        visited.add(to);
        reached.add(to);
        next.push(to);
      }
    }
    frontier = next;
  }
  return reached;
}

/** The classification the source carries under that name, if it still propagates. */
function propagating(record: EntityRecord | undefined, name: string) {
  const c = record?.classifications.find((x) => x.typeName === name);
  return c?.propagate === true ? c : undefined;
}

/** Of `guids`, the ones the classification may be put on (its def's entityTypes). */
async function applicable(
  tx: SqlTx,
  types: TypeRegistry,
  name: string,
  guids: Set<string>,
): Promise<string[]> {
  const all = [...guids];
  if (classificationEntityTypes(types, name).length === 0) return all;
  const out: string[] = [];
  for (let i = 0; i < all.length; i += 500) {
    for (const e of await tx.entities(all.slice(i, i + 500)))
      if (classificationAppliesTo(types, name, e.typeName)) out.push(e.guid);
  }
  return out;
}

/** Adds the propagations of `p` a walk finds now; keeps the ones it has. Returns how many are new. */
export async function addPropagations(
  tx: SqlTx,
  types: TypeRegistry,
  seq: number,
  p: PropagationSource,
): Promise<number> {
  const reached = await walk(tx, types, p);
  // Most of a re-walk (a new relationship next to a tagged entity) is there already.
  for (const guid of await tx.propagation.ofSource(p.sourceGuid, p.name)) reached.delete(guid);
  return tx.propagation.insert(p, await applicable(tx, types, p.name, reached), seq);
}

/** Makes the propagations of `p` exactly what a walk finds now (Atlas's re-evaluation). */
export async function reevaluate(
  tx: SqlTx,
  types: TypeRegistry,
  seq: number,
  p: PropagationSource,
  override?: SettingsOverride,
): Promise<number> {
  const wanted = new Set(await applicable(tx, types, p.name, await walk(tx, types, p, override)));
  const current = await tx.propagation.ofSource(p.sourceGuid, p.name);
  let changed = 0;
  for (const guid of current)
    if (!wanted.has(guid)) changed += await tx.propagation.deleteOne({ entityGuid: guid, ...p });
  changed += await tx.propagation.insert(
    p,
    [...wanted].filter((g) => !current.has(g)),
    seq,
  );
  return changed;
}

/**
 * The classifications that propagate from the entities `guids`: their own with
 * `propagate: true`, and the ones they receive whose source still propagates them.
 */
export async function sourcesAt(tx: SqlTx, guids: readonly string[]): Promise<PropagationSource[]> {
  const out = new Map<string, PropagationSource>();
  for (const e of await tx.entities([...guids]))
    for (const c of e.classifications)
      if (c.propagate === true) {
        const p = { sourceGuid: e.guid, name: c.typeName };
        out.set(key(p), p);
      }
  const received = await tx.propagation.to(guids);
  const sources = new Map(
    (await tx.entities([...new Set(received.map((r) => r.sourceGuid))])).map((e) => [e.guid, e]),
  );
  for (const r of received) {
    if (!propagating(sources.get(r.sourceGuid), r.name)) continue;
    const p = { sourceGuid: r.sourceGuid, name: r.name };
    out.set(key(p), p);
  }
  return [...out.values()];
}

/** New relationships: what propagates from either end now reaches across them (add only, as Atlas). */
export async function propagateAcross(
  tx: SqlTx,
  types: TypeRegistry,
  seq: number,
  created: RelationshipRecord[],
): Promise<number> {
  // A new relationship has its def's propagateTags: one of a NONE def carries nothing.
  const crossing = created.filter((r) => effectiveTags(types, r.typeName, undefined) !== "NONE");
  if (crossing.length === 0) return 0;
  const ends = new Set(crossing.flatMap((r) => [r.end1Guid, r.end2Guid]));
  let changed = 0;
  for (const p of await sourcesAt(tx, [...ends]))
    changed += await addPropagations(tx, types, seq, p);
  return changed;
}

/** An entity as one write found it (contentOf() text; undefined: created) and left it. */
export interface EntityChange {
  loaded: string | undefined;
  after: EntityRecord;
}

/** What propagated before; the text is parsed only when it can hold a propagating one. */
function loadedState(loaded: string | undefined) {
  return loaded === undefined || !loaded.includes('"propagate":true')
    ? undefined
    : contentClassifications(loaded);
}

/**
 * What a write's changes to classifications and statuses do to propagation: a classification
 * that stops propagating (removed, `propagate` off, or its entity deleted with
 * `removePropagationsOnEntityDelete`) takes its propagations away; one that starts
 * propagating (added, `propagate` on) adds them.
 */
export async function propagateEntityChanges(
  tx: SqlTx,
  types: TypeRegistry,
  seq: number,
  changes: EntityChange[],
): Promise<number> {
  const removed: PropagationSource[] = [];
  const added: PropagationSource[] = [];
  for (const { loaded, after } of changes) {
    const before = loadedState(loaded);
    // Nothing to propagate or take away on either side (most writes): no maps built.
    if (after.classifications.length === 0 && (before?.classifications.length ?? 0) === 0) continue;
    const old = new Map(
      (before?.classifications ?? [])
        .filter((c) => c.propagate === true)
        .map((c) => [c.typeName, c]),
    );
    const now = new Map(after.classifications.map((c) => [c.typeName, c]));
    const deletedNow = before?.status === "ACTIVE" && after.status === "DELETED";
    for (const name of old.keys()) {
      const next = now.get(name);
      if (
        next?.propagate !== true ||
        (deletedNow && next.removePropagationsOnEntityDelete === true)
      )
        removed.push({ sourceGuid: after.guid, name });
    }
    if (after.status !== "ACTIVE") continue;
    for (const [name, c] of now)
      if (c.propagate === true && !old.has(name)) added.push({ sourceGuid: after.guid, name });
  }
  let changed = 0;
  for (const p of removed) changed += await tx.propagation.deleteOfSource(p.sourceGuid, p.name);
  for (const p of added) changed += await addPropagations(tx, types, seq, p);
  return changed;
}

/**
 * The classifications the entities `guids` receive by propagation, as Atlas shows them in
 * `classifications`: the source's classification with `entityGuid` and `entityStatus` of the
 * source entity. Oldest propagation first.
 */
export async function receivedClassifications(
  tx: SqlTx,
  guids: readonly string[],
): Promise<Map<string, AtlasClassification[]>> {
  const out = new Map<string, AtlasClassification[]>();
  const received = await tx.propagation.to(guids);
  if (received.length === 0) return out;
  const sources = new Map(
    (await tx.entities([...new Set(received.map((r) => r.sourceGuid))])).map((e) => [e.guid, e]),
  );
  for (const r of received) {
    const source = sources.get(r.sourceGuid);
    const c = propagating(source, r.name);
    if (!source || !c) continue;
    const list = out.get(r.entityGuid) ?? [];
    list.push({ ...c, entityGuid: source.guid, entityStatus: source.status });
    out.set(r.entityGuid, list);
  }
  return out;
}

/** Adds what each entity receives by propagation to its `classifications` (after its own). */
export async function withReceived(
  tx: SqlTx,
  entities: { guid: string; classifications: AtlasClassification[] }[],
): Promise<void> {
  const received = await receivedClassifications(
    tx,
    entities.map((e) => e.guid),
  );
  for (const e of entities) {
    const more = received.get(e.guid);
    if (more) e.classifications = [...e.classifications, ...more];
  }
}

/** Headers name the classifications an entity receives too (Atlas's classificationNames). */
export async function withReceivedNames<T extends { guid: string; classificationNames: string[] }>(
  tx: SqlTx,
  headers: T[],
): Promise<T[]> {
  const received = await receivedClassifications(
    tx,
    headers.map((h) => h.guid),
  );
  for (const h of headers) {
    const more = (received.get(h.guid) ?? []).map((c) => c.typeName);
    if (more.length > 0) h.classificationNames = [...new Set([...h.classificationNames, ...more])];
  }
  return headers;
}
