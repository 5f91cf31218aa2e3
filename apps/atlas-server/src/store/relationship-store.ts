/**
 * Atlas's relationship REST (`v2/relationship`) over the store's relationship rows: read one
 * (with its ends' headers on `extendedInfo`), create one between two existing entities,
 * update its attributes and propagation settings (propagation-relationship.ts), soft-delete
 * it. Runs inside the store's transactions.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import { createdMarks, isObject, toHeader, touch, type EntityRecord } from "./entities.js";
import {
  StoreInvalidEntityError,
  StoreNotFoundError,
  StoreRelationshipExistsError,
  StoreRelationshipNotFoundError,
  StoreUnknownTypeError,
} from "./errors.js";
import { propagateAcross } from "./propagation.js";
import { applyPropagationSettings, relationshipPropagation } from "./propagation-relationship.js";
import { toAtlasRelationship, type RelationshipRecord } from "./relationships.js";
import type { SqlTx } from "./sql.js";
import type { AtlasEntityHeader } from "./types.js";
import type { TypeRegistry } from "./typesystem.js";

export interface RelationshipWithExtInfo {
  relationship: Record<string, JsonValue>;
  referredEntities?: Record<string, AtlasEntityHeader>;
}

export interface WriteStamp {
  epoch: number;
  seq: number;
  user: string;
  now: number;
  newGuid: () => string;
}

function labelOf(types: TypeRegistry, typeName: string): { label: string; propagateTags: string } {
  const def = types.relationshipDef(typeName);
  return {
    label: typeof def?.relationshipLabel === "string" ? def.relationshipLabel : `r:${typeName}`,
    propagateTags: def?.propagateTags ?? "NONE",
  };
}

async function render(
  tx: SqlTx,
  types: TypeRegistry,
  r: RelationshipRecord,
  extendedInfo: boolean,
): Promise<RelationshipWithExtInfo> {
  const ends = new Map((await tx.entities([r.end1Guid, r.end2Guid])).map((e) => [e.guid, e]));
  const { label } = labelOf(types, r.typeName);
  const propagation = await relationshipPropagation(tx, types, r);
  const relationship = {
    ...toAtlasRelationship(
      r,
      ends.get(r.end1Guid),
      ends.get(r.end2Guid),
      label,
      propagation.propagateTags,
    ),
    propagatedClassifications: propagation.propagatedClassifications as JsonValue,
    blockedPropagatedClassifications: propagation.blockedPropagatedClassifications as JsonValue,
  };
  if (!extendedInfo) return { relationship };
  // As Atlas: the ends' headers, and those of the entities the classifications come from.
  const sources = [
    ...propagation.propagatedClassifications,
    ...propagation.blockedPropagatedClassifications,
  ]
    .map((c) => String(c.entityGuid))
    .filter((g) => !ends.has(g));
  for (const e of await tx.entities([...new Set(sources)])) ends.set(e.guid, e);
  const referredEntities: Record<string, AtlasEntityHeader> = {};
  for (const e of ends.values()) referredEntities[e.guid] = toHeader(e);
  return { relationship, referredEntities };
}

export async function readRelationship(
  tx: SqlTx,
  types: TypeRegistry,
  guid: string,
  extendedInfo: boolean,
): Promise<RelationshipWithExtInfo | null> {
  const r = await tx.relationship(guid);
  return r ? render(tx, types, r, extendedInfo) : null;
}

/** The ACTIVE entity an end names: `{guid}` or `{typeName, uniqueAttributes: {qualifiedName}}`. */
async function endEntity(
  tx: SqlTx,
  types: TypeRegistry,
  value: unknown,
  which: string,
): Promise<EntityRecord> {
  if (!isObject(value))
    throw new StoreInvalidEntityError(`Relationship end is invalid. Expected ${which} but is NULL`);
  if (typeof value.guid === "string" && value.guid !== "" && !value.guid.startsWith("-")) {
    const found = await tx.entity(value.guid);
    if (!found || found.status !== "ACTIVE") throw new StoreNotFoundError({ guid: value.guid });
    return found;
  }
  const qn = isObject(value.uniqueAttributes) ? value.uniqueAttributes.qualifiedName : undefined;
  if (typeof value.typeName !== "string" || typeof qn !== "string")
    throw new StoreInvalidEntityError(
      `${which}: an end needs a guid, or a typeName and uniqueAttributes.qualifiedName`,
    );
  const found = await tx.activeByUnique(types.withSubtypes(value.typeName, which), qn);
  if (!found) throw new StoreNotFoundError({ typeName: value.typeName, qualifiedName: qn });
  return found;
}

function attributesOf(value: unknown): Record<string, JsonValue> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new StoreInvalidEntityError("attributes: expected an object");
  return value;
}

export async function createRelationship(
  tx: SqlTx,
  types: TypeRegistry,
  stamp: WriteStamp,
  body: Record<string, unknown>,
): Promise<RelationshipWithExtInfo> {
  const typeName = body.typeName;
  if (typeof typeName !== "string" || typeName === "")
    throw new StoreInvalidEntityError("a relationship needs a typeName");
  const def = types.relationshipDef(typeName);
  if (!def) throw new StoreUnknownTypeError(typeName, "relationship typeName");
  const end1 = await endEntity(tx, types, body.end1, "end1");
  const end2 = await endEntity(tx, types, body.end2, "end2");
  if (!types.isA(end1.typeName, def.endDef1.type) || !types.isA(end2.typeName, def.endDef2.type)) {
    throw new StoreInvalidEntityError(
      `invalid relationshipDef: ${typeName}: actual: [end type 1: ${end1.typeName}, end type 2: ${end2.typeName}]. ` +
        `expected: [end type 1: ${def.endDef1.type}, end type 2: ${def.endDef2.type}]`,
      "ATLAS-400-00-036",
    );
  }
  const existing = await tx.relationshipsOf([end1.guid], 1, {
    types: [typeName],
    activeOnly: true,
  });
  if (existing.some((r) => r.end2Guid === end2.guid))
    throw new StoreRelationshipExistsError(typeName, end1.guid, end2.guid);
  const record: RelationshipRecord = {
    guid: stamp.newGuid(),
    typeName,
    status: "ACTIVE",
    end1Guid: end1.guid,
    end2Guid: end2.guid,
    attributes: attributesOf(body.attributes),
    ...createdMarks(stamp),
    createOrd: 0,
  };
  await tx.insertRelationship(record);
  await applyPropagationSettings(tx, types, stamp.seq, record, body, true);
  await propagateAcross(tx, types, stamp.seq, [record]);
  return render(tx, types, record, false);
}

/** Changes the attributes of an ACTIVE relationship (its type and ends cannot change, as in Atlas). */
export async function updateRelationship(
  tx: SqlTx,
  types: TypeRegistry,
  stamp: WriteStamp,
  body: Record<string, unknown>,
): Promise<{ result: RelationshipWithExtInfo; changed: number }> {
  if (typeof body.guid !== "string" || body.guid === "")
    throw new StoreInvalidEntityError("an update needs the relationship's guid");
  const r = await tx.relationship(body.guid);
  if (!r || r.status !== "ACTIVE") throw new StoreRelationshipNotFoundError(body.guid);
  if (body.typeName !== undefined && body.typeName !== null && body.typeName !== r.typeName)
    throw new StoreInvalidEntityError(
      `change of relationship type is not permitted. relationship-guid=${r.guid}, current-type=${r.typeName}, new-type=${JSON.stringify(body.typeName)}`,
      "ATLAS-400-00-06A",
    );
  for (const [which, current] of [
    ["end1", r.end1Guid],
    ["end2", r.end2Guid],
  ] as const) {
    const end = body[which];
    if (end === undefined || end === null) continue;
    const target = await endEntity(tx, types, end, which);
    if (target.guid !== current)
      throw new StoreInvalidEntityError(
        `change of relationship end is not permitted. relationship-type=${r.typeName}, relationship-guid=${r.guid}, end-guid=${current}, updated-end-guid=${target.guid}`,
        "ATLAS-400-00-069",
      );
  }
  const attributes = { ...r.attributes, ...attributesOf(body.attributes) };
  const propagation = await applyPropagationSettings(tx, types, stamp.seq, r, body, false);
  if (JSON.stringify(attributes) === JSON.stringify(r.attributes) && propagation === 0)
    return { result: await render(tx, types, r, false), changed: 0 };
  r.attributes = attributes;
  touch(r, stamp);
  await tx.updateRelationship(r);
  return { result: await render(tx, types, r, false), changed: 1 };
}

export async function deleteRelationship(
  tx: SqlTx,
  stamp: WriteStamp,
  guid: string,
): Promise<void> {
  const r = await tx.relationship(guid);
  if (!r) throw new StoreRelationshipNotFoundError(guid);
  if (r.status === "DELETED") throw new StoreRelationshipNotFoundError(guid, true);
  r.status = "DELETED";
  touch(r, stamp);
  await tx.updateRelationship(r);
}
