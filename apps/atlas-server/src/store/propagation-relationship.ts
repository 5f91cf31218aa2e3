/**
 * Propagation seen from one relationship (Atlas's AtlasRelationshipStoreV2 and
 * DeleteHandlerV1.updateTagPropagations / handleBlockedClassifications): its
 * `propagateTags`, the classifications that cross it (`propagatedClassifications`) or would
 * but are blocked (`blockedPropagatedClassifications`), and a `PUT v2/relationship` that
 * changes either — then the classifications concerned are walked again, in the same write.
 * Also the removal of a propagated classification from the entity that receives it.
 */
import type { AtlasClassification, JsonValue } from "@atlas-ha/atlas-model";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { isObject } from "./entities.js";
import { StoreInvalidEntityError, StoreNotFoundError } from "./errors.js";
import {
  PROPAGATE_TAGS,
  addPropagations,
  effectiveTags,
  fromEnds,
  isBlocked,
  receivedClassifications,
  reevaluate,
  walk,
  type PropagateTags,
  type PropagationSource,
} from "./propagation.js";
import type { BlockedClassification, RelationshipSettings } from "./propagation-sql.js";
import type { RelationshipRecord } from "./relationships.js";
import type { SqlTx } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";

/** The classifications the `from` ends of a relationship carry that propagate (own and received). */
async function propagatable(
  tx: SqlTx,
  r: RelationshipRecord,
  tags: PropagateTags,
): Promise<AtlasClassification[]> {
  if (r.status !== "ACTIVE") return [];
  const from = [...new Set(fromEnds(r, tags).map(([f]) => f))];
  const out: AtlasClassification[] = [];
  const received = await receivedClassifications(tx, from);
  for (const e of await tx.entities(from)) {
    for (const c of e.classifications)
      if (c.propagate === true) out.push({ ...c, entityGuid: e.guid, entityStatus: e.status });
    out.push(...(received.get(e.guid) ?? []));
  }
  return out;
}

const sourceOf = (c: AtlasClassification): PropagationSource => ({
  sourceGuid: String(c.entityGuid),
  name: c.typeName,
});

export interface RelationshipPropagation {
  propagateTags: PropagateTags;
  propagatedClassifications: AtlasClassification[];
  blockedPropagatedClassifications: AtlasClassification[];
}

/** What a relationship's GET shows of propagation. */
export async function relationshipPropagation(
  tx: SqlTx,
  types: TypeRegistry,
  r: RelationshipRecord,
): Promise<RelationshipPropagation> {
  const settings = (await tx.propagation.settings([r.guid])).get(r.guid);
  const propagateTags = effectiveTags(types, r.typeName, settings);
  const all = await propagatable(tx, r, propagateTags);
  return {
    propagateTags,
    propagatedClassifications: all.filter((c) => !isBlocked(settings, sourceOf(c))),
    blockedPropagatedClassifications: all.filter((c) => isBlocked(settings, sourceOf(c))),
  };
}

/**
 * Atlas's rule for a relationship's own propagateTags: NONE always, otherwise the
 * relationshipDef's value, or either direction when the def says BOTH.
 */
function checkTags(types: TypeRegistry, r: RelationshipRecord, value: unknown): PropagateTags {
  if (typeof value !== "string" || !(PROPAGATE_TAGS as readonly string[]).includes(value))
    throw new StoreInvalidEntityError(
      `propagateTags: expected one of ${PROPAGATE_TAGS.join(", ")}, got ${JSON.stringify(value)}`,
    );
  const byDef = effectiveTags(types, r.typeName, undefined);
  if (value !== "NONE" && byDef !== "BOTH" && value !== byDef)
    throw new StoreInvalidEntityError(
      `Invalid propagation ${value} for relationship-type=${r.typeName}. Default value is ${byDef}`,
      ATLAS_ERRORS.INVALID_PROPAGATION_TYPE.code,
    );
  return value as PropagateTags;
}

function blockedOf(value: unknown): BlockedClassification[] {
  if (!Array.isArray(value))
    throw new StoreInvalidEntityError("blockedPropagatedClassifications: expected a list");
  return value.map((c: JsonValue) => {
    if (!isObject(c) || typeof c.typeName !== "string" || typeof c.entityGuid !== "string")
      throw new StoreInvalidEntityError(
        "blockedPropagatedClassifications: each needs a typeName and the entityGuid it propagates from",
      );
    return { typeName: c.typeName, entityGuid: c.entityGuid };
  });
}

const same = (a: PropagationSource, b: BlockedClassification) =>
  a.sourceGuid === b.entityGuid && a.name === b.typeName;

/**
 * Applies `propagateTags` and `blockedPropagatedClassifications` of a relationship body, as
 * Atlas: a new propagateTags re-walks what crosses the relationship before or after (and
 * leaves the blocked list alone); otherwise a blocked list replaces the current one —
 * entries that do not name a classification that can cross are dropped — and the
 * classifications whose block changed are walked again. Returns how many rows changed.
 * `isNew`: a create, where the given propagateTags is checked but the def's is kept.
 */
export async function applyPropagationSettings(
  tx: SqlTx,
  types: TypeRegistry,
  seq: number,
  r: RelationshipRecord,
  body: Record<string, unknown>,
  isNew: boolean,
): Promise<number> {
  const given = body.propagateTags;
  const tags = given === undefined || given === null ? undefined : checkTags(types, r, given);
  const blockedGiven =
    body.blockedPropagatedClassifications === undefined ||
    body.blockedPropagatedClassifications === null
      ? undefined
      : blockedOf(body.blockedPropagatedClassifications);
  const current: RelationshipSettings = (await tx.propagation.settings([r.guid])).get(r.guid) ?? {
    propagateTags: null,
    blocked: [],
  };
  const currentTags = effectiveTags(types, r.typeName, current);
  let changed = 0;
  if (!isNew && tags !== undefined && tags !== currentTags) {
    const next = { ...current, propagateTags: tags };
    const override = { relationshipGuid: r.guid, settings: next };
    const sources = new Map<string, PropagationSource>();
    for (const c of [
      ...(await propagatable(tx, r, currentTags)),
      ...(await propagatable(tx, r, tags)),
    ])
      sources.set(`${String(c.entityGuid)}\u0000${c.typeName}`, sourceOf(c));
    for (const p of sources.values()) {
      // Atlas removes only what the old setting reached and the new one does not.
      const before = await walk(tx, types, p);
      const after = await walk(tx, types, p, override);
      for (const guid of before)
        if (!after.has(guid)) changed += await tx.propagation.deleteOne({ entityGuid: guid, ...p });
    }
    await tx.propagation.setSettings(r.guid, next);
    for (const p of sources.values()) changed += await addPropagations(tx, types, seq, p);
    return changed + 1;
  }
  if (blockedGiven === undefined) return 0;
  const crossing = (await propagatable(tx, r, currentTags)).map(sourceOf);
  const blocked = blockedGiven.filter(
    (b, i) =>
      crossing.some((p) => same(p, b)) &&
      blockedGiven.findIndex((x) => x.typeName === b.typeName && x.entityGuid === b.entityGuid) ===
        i,
  );
  const was = current.blocked.filter((b) => crossing.some((p) => same(p, b)));
  const flipped = crossing.filter(
    (p) => blocked.some((b) => same(p, b)) !== was.some((b) => same(p, b)),
  );
  if (JSON.stringify(blocked) === JSON.stringify(current.blocked)) return 0;
  await tx.propagation.setSettings(r.guid, { ...current, blocked });
  const done = new Set<string>();
  for (const p of flipped) {
    const k = `${p.sourceGuid}\u0000${p.name}`;
    if (done.has(k)) continue;
    done.add(k);
    changed += await reevaluate(tx, types, seq, p);
  }
  return changed + 1;
}

/**
 * Removes the classification `name` entity `guid` receives from `sourceGuid` (Atlas's
 * deletePropagatedClassification): only once the source entity is no longer ACTIVE.
 */
export async function removeReceived(
  tx: SqlTx,
  guid: string,
  name: string,
  sourceGuid: string,
): Promise<number> {
  const entity = await tx.entity(guid);
  if (!entity) throw new StoreNotFoundError({ guid });
  const received = (await receivedClassifications(tx, [guid])).get(guid) ?? [];
  if (!received.some((c) => c.typeName === name && c.entityGuid === sourceGuid))
    throw new StoreInvalidEntityError(
      `Propagated classification ${name} is not associated with entity ${guid}, it is associated with entity ${sourceGuid}`,
      ATLAS_ERRORS.PROPAGATED_CLASSIFICATION_NOT_ASSOCIATED.code,
    );
  const source = await tx.entity(sourceGuid);
  if (source?.status === "ACTIVE")
    throw new StoreInvalidEntityError(
      `Removal of classification ${name}, which is propagated from entity ${sourceGuid}, is not supported`,
      ATLAS_ERRORS.PROPAGATED_CLASSIFICATION_REMOVAL_NOT_SUPPORTED.code,
    );
  return tx.propagation.deleteOne({ entityGuid: guid, sourceGuid, name });
}
