/**
 * Categories written as Atlas's GlossaryService writes them: the qualifiedName is
 * `name@glossary` at the top and `name.parentQualifiedName` below a parent, derived on create
 * and again when the parent or the glossary changes (a rename alone keeps it), for the whole
 * subtree below; a category cannot be its own ancestor, and its parent and children belong to
 * its glossary; deleting one leaves its children at the top of the glossary.
 */
import type { EntityRecord } from "./entities.js";
import {
  CATEGORIZATION,
  CATEGORY,
  CATEGORY_ANCHOR,
  HIERARCHY,
  TERM,
  linksOf,
  loadActive,
  type Json,
} from "./glossary-read.js";
import {
  badRequest,
  checkName,
  headerAttributes,
  headerGuid,
  headerList,
  invalid,
  plainAttributes,
  requireObject,
  type GlossaryWrite,
} from "./glossary-links.js";
import { anchorOf, syncRelationships } from "./glossary-terms.js";

export const CATEGORY_ATTRIBUTES = [
  "shortDescription",
  "longDescription",
  "additionalAttributes",
] as const;

/** The glossary a category is anchored to. */
async function glossaryOf(w: GlossaryWrite, category: string): Promise<EntityRecord> {
  const links = await linksOf(w.c.tx, category, [CATEGORY_ANCHOR]);
  const anchor = links.relationships.find((r) => r.end2Guid === category);
  // Only a category written through the entity REST can lack one.
  if (!anchor)
    throw invalid("MISSING_MANDATORY_ANCHOR", `category ${category} has no glossary anchor`);
  return links.others.get(anchor.end1Guid)!;
}

async function parentLink(w: GlossaryWrite, category: string) {
  const links = await linksOf(w.c.tx, category, [HIERARCHY]);
  return links.relationships.find((r) => r.end2Guid === category);
}

/** The categories above `guid`, nearest first. */
async function ancestors(w: GlossaryWrite, guid: string): Promise<string[]> {
  const out: string[] = [];
  for (let at = guid; ;) {
    const up = await parentLink(w, at);
    if (!up || out.includes(up.end1Guid) || up.end1Guid === guid) return out;
    out.push(up.end1Guid);
    at = up.end1Guid;
  }
}

/** A category that may hang below `parent` in `glossary`: same glossary, and no loop. */
async function checkPlacement(
  w: GlossaryWrite,
  child: EntityRecord,
  parent: EntityRecord,
  glossary: EntityRecord,
): Promise<void> {
  if ((await glossaryOf(w, child.guid)).guid !== glossary.guid)
    throw invalid(
      "INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY",
      `Invalid child category relationship: Child category (guid = ${child.guid}) belongs to different glossary`,
    );
  if (child.guid === parent.guid || (await ancestors(w, parent.guid)).includes(child.guid))
    throw badRequest(
      `category ${child.guid} cannot be placed below ${parent.guid}: a category cannot be its own ancestor`,
    );
}

/** Sets a category's qualifiedName and re-derives those of the categories below it. */
async function requalify(w: GlossaryWrite, category: EntityRecord, qualifiedName: string) {
  if (category.qualifiedName !== qualifiedName) {
    await w.checkUnique(CATEGORY, qualifiedName, category.guid);
    await w.updateObject(category, { qualifiedName });
  }
  const links = await linksOf(w.c.tx, category.guid, [HIERARCHY]);
  for (const r of links.relationships) {
    if (r.end1Guid !== category.guid) continue;
    const child = links.others.get(r.end2Guid)!;
    await requalify(w, child, `${child.name}.${qualifiedName}`);
  }
}

export async function createCategory(w: GlossaryWrite, input: unknown): Promise<EntityRecord> {
  const body = requireObject(input, "GlossaryCategory");
  const glossary = await anchorOf(w, body);
  const name = checkName(body.name, () =>
    invalid(
      "GLOSSARY_CATEGORY_QUALIFIED_NAME_CANT_BE_DERIVED",
      "Attributes qualifiedName, name & glossary name are missing. Failed to derive a unique name for Glossary category",
    ),
  );
  const parentGuid = headerGuid(body.parentCategory, "categoryGuid");
  const parent = parentGuid ? await loadActive(w.c.tx, parentGuid, CATEGORY) : undefined;
  if (parent && (await glossaryOf(w, parent.guid)).guid !== glossary.guid)
    throw invalid(
      "INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY",
      `Invalid child category relationship: Child category (guid = ${parent.guid}) belongs to different glossary`,
    );
  const qualifiedName = parent
    ? `${name}.${parent.qualifiedName}`
    : `${name}@${glossary.qualifiedName}`;
  await w.checkUnique(CATEGORY, qualifiedName);
  const category = await w.createObject(CATEGORY, {
    qualifiedName,
    name,
    ...plainAttributes(body, CATEGORY_ATTRIBUTES),
  });
  await w.link(CATEGORY_ANCHOR, glossary.guid, category.guid);
  if (parent) await w.link(HIERARCHY, parent.guid, category.guid);
  await syncChildren(w, category, glossary, body);
  await syncCategoryTerms(w, category, body);
  return category;
}

/** PUT: attributes, parent, children and terms as sent. */
export async function updateCategory(
  w: GlossaryWrite,
  guid: string,
  input: unknown,
): Promise<EntityRecord> {
  const body = requireObject(input, "GlossaryCategory");
  const category = await loadActive(w.c.tx, guid, CATEGORY);
  const name = checkName(body.name, () => badRequest("DisplayName can't be null/empty"));
  const glossary = await anchorOf(w, body);
  const current = await glossaryOf(w, guid);
  const parentGuid = headerGuid(body.parentCategory, "categoryGuid");
  const parent = parentGuid ? await loadActive(w.c.tx, parentGuid, CATEGORY) : undefined;
  if (parent) {
    if ((await glossaryOf(w, parent.guid)).guid !== glossary.guid)
      throw invalid(
        "INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY",
        `Invalid child category relationship: Child category (guid = ${parent.guid}) belongs to different glossary`,
      );
    if (parent.guid === guid || (await ancestors(w, parent.guid)).includes(guid))
      throw badRequest(
        `category ${guid} cannot be placed below ${parent.guid}: a category cannot be its own ancestor`,
      );
  }
  const oldParent = await parentLink(w, guid);
  await w.updateObject(category, { name, ...plainAttributes(body, CATEGORY_ATTRIBUTES) });
  let moved = false;
  if (current.guid !== glossary.guid) {
    const anchor = (await linksOf(w.c.tx, guid, [CATEGORY_ANCHOR])).relationships[0];
    if (anchor) await w.unlink(anchor);
    await w.link(CATEGORY_ANCHOR, glossary.guid, guid);
    moved = true;
  }
  if (oldParent?.end1Guid !== parent?.guid) {
    if (oldParent) await w.unlink(oldParent);
    if (parent) await w.link(HIERARCHY, parent.guid, guid);
    moved = true;
  }
  if (moved)
    await requalify(
      w,
      category,
      parent ? `${name}.${parent.qualifiedName}` : `${name}@${glossary.qualifiedName}`,
    );
  await syncChildren(w, category, glossary, body);
  await syncCategoryTerms(w, category, body);
  return category;
}

export async function deleteCategory(w: GlossaryWrite, guid: string): Promise<void> {
  const category = await loadActive(w.c.tx, guid, CATEGORY);
  const glossary = await glossaryOf(w, guid);
  const links = await linksOf(w.c.tx, guid, [HIERARCHY]);
  for (const r of links.relationships) {
    if (r.end1Guid !== guid) continue;
    const child = links.others.get(r.end2Guid)!;
    await w.unlink(r);
    await requalify(w, child, `${child.name}@${glossary.qualifiedName}`);
  }
  await w.deleteObject(category);
}

/** Makes the category's children exactly `childrenCategories`; a dropped child goes to the top. */
async function syncChildren(
  w: GlossaryWrite,
  category: EntityRecord,
  glossary: EntityRecord,
  body: Json,
): Promise<void> {
  const wanted = new Map<string, EntityRecord>();
  for (const header of headerList(body, "childrenCategories")) {
    const guid = headerGuid(header, "categoryGuid");
    if (guid === undefined) throw badRequest("a child category needs its categoryGuid");
    const child = await loadActive(w.c.tx, guid, CATEGORY);
    await checkPlacement(w, child, category, glossary);
    wanted.set(guid, child);
  }
  const links = await linksOf(w.c.tx, category.guid, [HIERARCHY]);
  for (const r of links.relationships) {
    if (r.end1Guid !== category.guid) continue;
    if (wanted.delete(r.end2Guid)) continue; // kept
    const child = links.others.get(r.end2Guid)!;
    await w.unlink(r);
    await requalify(w, child, `${child.name}@${glossary.qualifiedName}`);
  }
  for (const child of wanted.values()) {
    const old = await parentLink(w, child.guid);
    if (old) await w.unlink(old);
    await w.link(HIERARCHY, category.guid, child.guid);
    await requalify(w, child, `${child.name}.${category.qualifiedName}`);
  }
}

async function syncCategoryTerms(
  w: GlossaryWrite,
  category: EntityRecord,
  body: Json,
): Promise<void> {
  const wanted = [];
  for (const header of headerList(body, "terms")) {
    const other = headerGuid(header, "termGuid");
    if (other === undefined)
      throw invalid(
        "MISSING_TERM_ID_FOR_CATEGORIZATION",
        "Term guid cannot be empty/null when adding to a category",
      );
    await loadActive(w.c.tx, other, TERM);
    const attributes = headerAttributes(header, ["description", "status"]);
    wanted.push({ type: CATEGORIZATION, other, selfEnd: 1 as const, attributes });
  }
  await syncRelationships(w, category.guid, wanted, (r) => r.typeName === CATEGORIZATION);
}
