/**
 * Glossaries and terms written as Atlas's GlossaryService writes them: a glossary's
 * qualifiedName is its name unless given and never changes; a term's is `name@glossary`,
 * derived on create and again when the term moves to another glossary (a rename alone keeps
 * it); a term's relations (anchor, categories, related terms) are relationships, which an
 * update makes exactly what it sends; a term assigned to entities cannot be deleted, nor the
 * glossary that holds it.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import type { EntityRecord } from "./entities.js";
import {
  ASSIGNMENT,
  CATEGORIZATION,
  CATEGORY,
  GLOSSARY,
  TERM,
  TERM_ANCHOR,
  TERM_RELATIONS,
  linksOf,
  loadActive,
  relationAt,
  type Json,
} from "./glossary-read.js";
import {
  badRequest,
  checkName,
  headerAttributes,
  headerGuid,
  headerList,
  invalid,
  MAX_NAME_LENGTH,
  plainAttributes,
  requireObject,
  type GlossaryWrite,
} from "./glossary-links.js";
import { StoreNotFoundError } from "./errors.js";
import { endGuid, type RelationshipRecord } from "./relationships.js";

export const GLOSSARY_ATTRIBUTES = [
  "shortDescription",
  "longDescription",
  "language",
  "usage",
  "additionalAttributes",
] as const;
export const TERM_ATTRIBUTES = [
  "shortDescription",
  "longDescription",
  "examples",
  "abbreviation",
  "usage",
  "additionalAttributes",
] as const;
const TERM_HEADER = ["description", "expression", "steward", "source", "status"] as const;
const CATEGORIZATION_HEADER = ["description", "status"] as const;

export async function createGlossary(w: GlossaryWrite, input: unknown): Promise<EntityRecord> {
  const body = requireObject(input, "Glossary");
  let qualifiedName = body.qualifiedName;
  if (typeof qualifiedName !== "string" || qualifiedName === "") {
    qualifiedName = checkName(body.name, () =>
      invalid(
        "GLOSSARY_QUALIFIED_NAME_CANT_BE_DERIVED",
        "Attributes qualifiedName and name are missing. Failed to derive a unique name for Glossary",
      ),
    );
  }
  const name = body.name;
  if (typeof name !== "string" || name === "")
    throw invalid(
      "GLOSSARY_QUALIFIED_NAME_CANT_BE_DERIVED",
      "Attribute name is missing: a glossary needs a name",
    );
  if (name.length > MAX_NAME_LENGTH || qualifiedName.length > MAX_NAME_LENGTH)
    throw badRequest(`name and qualifiedName are limited to ${MAX_NAME_LENGTH} characters`);
  const attributes = plainAttributes(body, GLOSSARY_ATTRIBUTES);
  await w.checkUnique(GLOSSARY, qualifiedName);
  return w.createObject(GLOSSARY, { qualifiedName, name, ...attributes });
}

/** PUT: every attribute as sent (absent ones cleared); the qualifiedName stays. */
export async function updateGlossary(
  w: GlossaryWrite,
  guid: string,
  input: unknown,
): Promise<EntityRecord> {
  const body = requireObject(input, "Glossary");
  const record = await loadActive(w.c.tx, guid, GLOSSARY);
  const name = checkName(body.name, () => badRequest("DisplayName can't be null/empty"));
  await w.updateObject(record, { name, ...plainAttributes(body, GLOSSARY_ATTRIBUTES) });
  return record;
}

/** Atlas refuses to delete a term assigned to entities; deleting a glossary deletes its terms. */
async function checkUnassigned(w: GlossaryWrite, term: EntityRecord): Promise<void> {
  const assigned = await linksOf(w.c.tx, term.guid, [ASSIGNMENT]);
  const count = assigned.relationships.filter((r) => r.end1Guid === term.guid).length;
  if (count > 0)
    throw invalid(
      "TERM_HAS_ENTITY_ASSOCIATION",
      `Term (guid=${term.guid}) cannot be deleted as it has been assigned to ${count} entities.`,
    );
}

export async function deleteGlossary(w: GlossaryWrite, guid: string): Promise<void> {
  const record = await loadActive(w.c.tx, guid, GLOSSARY);
  const terms = await linksOf(w.c.tx, guid, [TERM_ANCHOR]);
  for (const r of terms.relationships) await checkUnassigned(w, terms.others.get(r.end2Guid)!);
  // The anchors are COMPOSITIONs: the glossary's terms and categories go with it.
  await w.deleteObject(record);
}

export async function createTerm(w: GlossaryWrite, input: unknown): Promise<EntityRecord> {
  const body = requireObject(input, "GlossaryTerm");
  const glossary = await anchorOf(w, body);
  const name = checkName(body.name, () =>
    invalid(
      "GLOSSARY_TERM_QUALIFIED_NAME_CANT_BE_DERIVED",
      "Attributes qualifiedName, name & glossary name are missing. Failed to derive a unique name for Glossary term",
    ),
  );
  const qualifiedName = `${name}@${glossary.qualifiedName}`;
  const attributes = plainAttributes(body, TERM_ATTRIBUTES);
  await w.checkUnique(TERM, qualifiedName);
  const term = await w.createObject(TERM, { qualifiedName, name, ...attributes });
  await w.link(TERM_ANCHOR, glossary.guid, term.guid);
  await syncTermRelations(w, term, body);
  return term;
}

/** The glossary `anchor.glossaryGuid` names: no anchor is Atlas's 400 MISSING_MANDATORY_ANCHOR. */
export async function anchorOf(w: GlossaryWrite, body: Json): Promise<EntityRecord> {
  if (body.anchor === undefined || body.anchor === null)
    throw invalid("MISSING_MANDATORY_ANCHOR", "Mandatory anchor attribute is missing");
  const guid = headerGuid(body.anchor, "glossaryGuid");
  if (guid === undefined)
    throw invalid("INVALID_NEW_ANCHOR_GUID", "New Anchor guid cannot be empty/null");
  return loadActive(w.c.tx, guid, GLOSSARY);
}

/** PUT: attributes and relations as sent; a new anchor re-derives the qualifiedName. */
export async function updateTerm(
  w: GlossaryWrite,
  guid: string,
  input: unknown,
): Promise<EntityRecord> {
  const body = requireObject(input, "GlossaryTerm");
  const term = await loadActive(w.c.tx, guid, TERM);
  const name = checkName(body.name, () => badRequest("DisplayName can't be null/empty"));
  const glossary = await anchorOf(w, body);
  const links = await linksOf(w.c.tx, guid, [TERM_ANCHOR]);
  const anchor = links.relationships.find((r) => r.end2Guid === guid);
  let qualifiedName = term.qualifiedName!;
  if (anchor?.end1Guid !== glossary.guid) {
    qualifiedName = `${name}@${glossary.qualifiedName}`;
    await w.checkUnique(TERM, qualifiedName, guid);
    if (anchor) await w.unlink(anchor);
    await w.link(TERM_ANCHOR, glossary.guid, guid);
  }
  await w.updateObject(term, { qualifiedName, name, ...plainAttributes(body, TERM_ATTRIBUTES) });
  await syncTermRelations(w, term, body);
  return term;
}

export async function deleteTerm(w: GlossaryWrite, guid: string): Promise<void> {
  const term = await loadActive(w.c.tx, guid, TERM);
  await checkUnassigned(w, term);
  await w.deleteObject(term);
}

/** A wanted relationship of the term: its type, the other end, the term's end, the attributes. */
interface Wanted {
  type: string;
  other: string;
  selfEnd: 1 | 2;
  attributes: Json;
}

/** Makes the term's categories and related terms exactly those `body` lists (Atlas's UPDATE). */
async function syncTermRelations(w: GlossaryWrite, term: EntityRecord, body: Json): Promise<void> {
  const wanted: Wanted[] = [];
  for (const header of headerList(body, "categories")) {
    const other = headerGuid(header, "categoryGuid");
    if (other === undefined) throw badRequest("a term's category needs its categoryGuid");
    await loadActive(w.c.tx, other, CATEGORY);
    const attributes = headerAttributes(header, CATEGORIZATION_HEADER);
    wanted.push({ type: CATEGORIZATION, other, selfEnd: 2, attributes });
  }
  for (const relation of TERM_RELATIONS) {
    for (const header of headerList(body, relation.attribute)) {
      const other = headerGuid(header, "termGuid");
      if (other === undefined)
        throw badRequest(`${relation.attribute}: a related term needs its termGuid`);
      if (other === term.guid)
        throw invalid(
          "INVALID_TERM_RELATION_TO_SELF",
          "Invalid Term relationship: Term cannot have a relationship with self",
        );
      await loadActive(w.c.tx, other, TERM);
      const attributes = headerAttributes(header, TERM_HEADER);
      wanted.push({ type: relation.type, other, selfEnd: relation.end2 ? 2 : 1, attributes });
    }
  }
  await syncRelationships(w, term.guid, wanted, (r) => {
    if (r.typeName === CATEGORIZATION) return true;
    return relationAt(r.typeName, endGuid(r, 1) === term.guid ? 1 : 2) !== undefined;
  });
}

/**
 * Makes `guid`'s ACTIVE relationships that `mine` selects exactly `wanted`: the missing made,
 * the kept re-attributed, the others dropped.
 */
export async function syncRelationships(
  w: GlossaryWrite,
  guid: string,
  wanted: Wanted[],
  mine: (r: RelationshipRecord) => boolean,
): Promise<void> {
  const current = (await linksOf(w.c.tx, guid)).relationships.filter(mine);
  const key = (type: string, end1: string, end2: string) => `${type} ${end1} ${end2}`;
  const byKey = new Map(current.map((r) => [key(r.typeName, r.end1Guid, r.end2Guid), r]));
  const kept = new Set<string>();
  for (const want of wanted) {
    const [end1, end2] = want.selfEnd === 1 ? [guid, want.other] : [want.other, guid];
    let found = byKey.get(key(want.type, end1, end2));
    // A symmetric relation made from the other term counts too.
    if (!found && end1 !== end2) {
      const reverse = byKey.get(key(want.type, end2, end1));
      if (reverse && relationAt(want.type, 1) === relationAt(want.type, 2)) found = reverse;
    }
    if (found) {
      if (kept.has(found.guid)) continue; // the same one listed twice
      kept.add(found.guid);
      await w.reattribute(found, want.attributes);
    } else {
      const made = await w.link(want.type, end1, end2, want.attributes);
      byKey.set(key(want.type, end1, end2), made);
      kept.add(made.guid);
    }
  }
  for (const r of current) if (!kept.has(r.guid)) await w.unlink(r);
}

/** The entities `input` (a list of AtlasRelatedObjectId) names, assigned the term (Atlas's POST assignedEntities). */
export async function assignTerm(w: GlossaryWrite, guid: string, input: unknown): Promise<void> {
  const term = await loadActive(w.c.tx, guid, TERM);
  const ids = relatedObjectIds(input);
  const assigned = new Set(
    (await linksOf(w.c.tx, guid, [ASSIGNMENT])).relationships
      .filter((r) => r.end1Guid === guid)
      .map((r) => r.end2Guid),
  );
  for (const id of ids) {
    const entityGuid = id.guid as string;
    const entity = await w.c.tx.entity(entityGuid);
    if (!entity || entity.status !== "ACTIVE" || !w.c.types.isA(entity.typeName, "Referenceable"))
      throw invalidTarget(entityGuid, entity);
    if (assigned.has(entityGuid) && id.relationshipGuid !== undefined) continue;
    const attributes =
      isRecord(id.relationshipAttributes) && isRecord(id.relationshipAttributes.attributes)
        ? id.relationshipAttributes.attributes
        : {};
    await w.link(ASSIGNMENT, term.guid, entityGuid, attributes);
    assigned.add(entityGuid);
  }
}

/** Removes assignments: each id needs the relationshipGuid of its assignment to this term (Atlas). */
export async function disassociateTerm(
  w: GlossaryWrite,
  guid: string,
  input: unknown,
): Promise<void> {
  await loadActive(w.c.tx, guid, TERM);
  const ids = relatedObjectIds(input);
  const assignments = (await linksOf(w.c.tx, guid, [ASSIGNMENT])).relationships.filter(
    (r) => r.end1Guid === guid,
  );
  for (const id of ids) {
    const relationshipGuid = id.relationshipGuid;
    if (typeof relationshipGuid !== "string" || relationshipGuid === "")
      throw invalid(
        "TERM_DISSOCIATION_MISSING_RELATION_GUID",
        "Missing mandatory attribute, TermAssignment relationship guid",
      );
    const r = assignments.find((a) => a.guid === relationshipGuid && a.end2Guid === id.guid);
    if (!r || r.status !== "ACTIVE")
      throw invalid(
        "INVALID_TERM_DISSOCIATION",
        `Given relationshipGuid(${relationshipGuid}) is invalid for term (guid=${guid}) and entity(guid=${id.guid as string})`,
      );
    await w.unlink(r);
  }
}

const isRecord = (v: unknown): v is Record<string, JsonValue> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function relatedObjectIds(input: unknown): Json[] {
  if (!Array.isArray(input) || input.length === 0)
    throw badRequest("expected a non-empty list of related object ids");
  for (const id of input)
    if (!isRecord(id) || typeof id.guid !== "string" || id.guid === "")
      throw badRequest("each related object id needs the entity's guid");
  return input as Json[];
}

function invalidTarget(guid: string, entity: EntityRecord | undefined): Error {
  if (!entity || entity.status !== "ACTIVE") return new StoreNotFoundError({ guid });
  return badRequest(`entity ${guid} is a ${entity.typeName}, not a Referenceable`);
}
