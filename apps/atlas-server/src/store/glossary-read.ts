/**
 * Glossaries, terms and categories as Atlas's glossary REST answers them (AtlasGlossary,
 * AtlasGlossaryTerm, AtlasGlossaryCategory and their headers), read from the entities and
 * ACTIVE relationships that hold them (models/glossary.ts). Runs inside a store transaction.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import type { EntityRecord } from "./entities.js";
import { StoreNotFoundError } from "./errors.js";
import { endGuid, otherEnd, relatedObjectId, type RelationshipRecord } from "./relationships.js";
import type { SqlTx } from "./sql.js";

export const GLOSSARY = "AtlasGlossary";
export const TERM = "AtlasGlossaryTerm";
export const CATEGORY = "AtlasGlossaryCategory";
export const TERM_ANCHOR = "AtlasGlossaryTermAnchor";
export const CATEGORY_ANCHOR = "AtlasGlossaryCategoryAnchor";
export const HIERARCHY = "AtlasGlossaryCategoryHierarchyLink";
export const CATEGORIZATION = "AtlasGlossaryTermCategorization";
export const ASSIGNMENT = "AtlasGlossarySemanticAssignment";

export type Json = Record<string, JsonValue>;

/**
 * Atlas's AtlasGlossaryTerm.Relation: the key getRelatedTerms answers with, the term's
 * attribute, its relationshipDef, and whether the term is end 2 of it (`isEnd2Attr`).
 */
export const TERM_RELATIONS = [
  { key: "SEE_ALSO", attribute: "seeAlso", type: "AtlasGlossaryRelatedTerm", end2: false },
  { key: "SYNONYMS", attribute: "synonyms", type: "AtlasGlossarySynonym", end2: false },
  { key: "ANTONYMS", attribute: "antonyms", type: "AtlasGlossaryAntonym", end2: false },
  {
    key: "PREFERRED_TO_TERMS",
    attribute: "preferredToTerms",
    type: "AtlasGlossaryPreferredTerm",
    end2: true,
  },
  {
    key: "PREFERRED_TERMS",
    attribute: "preferredTerms",
    type: "AtlasGlossaryPreferredTerm",
    end2: false,
  },
  {
    key: "REPLACEMENT_TERMS",
    attribute: "replacementTerms",
    type: "AtlasGlossaryReplacementTerm",
    end2: true,
  },
  {
    key: "REPLACED_BY",
    attribute: "replacedBy",
    type: "AtlasGlossaryReplacementTerm",
    end2: false,
  },
  {
    key: "TRANSLATION_TERMS",
    attribute: "translationTerms",
    type: "AtlasGlossaryTranslation",
    end2: true,
  },
  {
    key: "TRANSLATED_TERMS",
    attribute: "translatedTerms",
    type: "AtlasGlossaryTranslation",
    end2: false,
  },
  { key: "ISA", attribute: "isA", type: "AtlasGlossaryIsARelationship", end2: true },
  { key: "CLASSIFIES", attribute: "classifies", type: "AtlasGlossaryIsARelationship", end2: false },
  { key: "VALID_VALUES", attribute: "validValues", type: "AtlasGlossaryValidValue", end2: true },
  {
    key: "VALID_VALUES_FOR",
    attribute: "validValuesFor",
    type: "AtlasGlossaryValidValue",
    end2: false,
  },
] as const;

export type TermRelation = (typeof TERM_RELATIONS)[number];
const SYMMETRIC = new Set([
  "AtlasGlossaryRelatedTerm",
  "AtlasGlossarySynonym",
  "AtlasGlossaryAntonym",
]);

/** The relation a term-to-term relationship is, seen from the term at `end`. */
export function relationAt(type: string, end: 1 | 2): TermRelation | undefined {
  return TERM_RELATIONS.find(
    (r) => r.type === type && (SYMMETRIC.has(type) || r.end2 === (end === 2)),
  );
}

export type GlossaryType = typeof GLOSSARY | typeof TERM | typeof CATEGORY;

/** The ACTIVE glossary object of that type with that guid; anything else is not found (404), as in Atlas. */
export async function loadActive(
  tx: SqlTx,
  guid: string,
  typeName: GlossaryType,
): Promise<EntityRecord> {
  const found = await tx.entity(guid);
  if (!found || found.status !== "ACTIVE" || found.typeName !== typeName)
    throw new StoreNotFoundError({ guid });
  return found;
}

/** An object's ACTIVE relationships whose other end is ACTIVE, with those other ends. */
export interface Links {
  relationships: RelationshipRecord[];
  others: Map<string, EntityRecord>;
}

export async function linksOf(tx: SqlTx, guid: string, types?: string[]): Promise<Links> {
  const all = await tx.relationshipsOf([guid], "any", {
    activeOnly: true,
    ...(types ? { types } : {}),
  });
  const others = new Map(
    (await tx.entities(all.map((r) => otherEnd(r, guid))))
      .filter((e) => e.status === "ACTIVE")
      .map((e) => [e.guid, e]),
  );
  const relationships = all
    .filter((r) => others.has(otherEnd(r, guid)))
    .sort((a, b) => a.createSeq - b.createSeq || a.createOrd - b.createOrd);
  return { relationships, others };
}

const text = (record: EntityRecord): string => record.name ?? record.qualifiedName ?? record.guid;

/** The keys of `from` that hold a value (Atlas leaves nulls out of these objects). */
function present(from: Json, names: readonly string[]): Json {
  const out: Json = {};
  for (const name of names) {
    const v = from[name];
    if (v !== undefined && v !== null) out[name] = v;
  }
  return out;
}

const TERM_HEADER_ATTRIBUTES = ["description", "expression", "steward", "source", "status"];

/** Atlas's AtlasRelatedTermHeader. */
export function termHeader(term: EntityRecord, r: RelationshipRecord | undefined): Json {
  return {
    termGuid: term.guid,
    ...(r ? { relationGuid: r.guid } : {}),
    displayText: text(term),
    ...(r ? present(r.attributes, TERM_HEADER_ATTRIBUTES) : {}),
    ...(term.qualifiedName !== null ? { qualifiedName: term.qualifiedName } : {}),
  };
}

/** Atlas's AtlasRelatedCategoryHeader. */
export function categoryHeader(
  category: EntityRecord,
  r: RelationshipRecord | undefined,
  parentCategoryGuid?: string,
): Json {
  return {
    categoryGuid: category.guid,
    ...(parentCategoryGuid ? { parentCategoryGuid } : {}),
    ...(r ? { relationGuid: r.guid } : {}),
    displayText: text(category),
    ...(r ? present(r.attributes, ["description"]) : {}),
  };
}

function base(record: EntityRecord, names: readonly string[]): Json {
  return {
    guid: record.guid,
    ...present(record.attributes, ["qualifiedName", "name", "shortDescription", "longDescription"]),
    ...present(record.attributes, names),
    ...present(record.attributes, ["additionalAttributes"]),
    ...(record.classifications.length > 0
      ? { classifications: record.classifications as unknown as JsonValue }
      : {}),
  };
}

/** The parent category of each of `guids` that has one. */
async function parentsOf(tx: SqlTx, guids: string[]): Promise<Map<string, string>> {
  const links = await tx.relationshipsOf(guids, 2, { types: [HIERARCHY], activeOnly: true });
  return new Map(links.map((r) => [r.end2Guid, r.end1Guid]));
}

export function anchorHeader(links: Links): Json | undefined {
  for (const r of links.relationships) {
    if (r.typeName !== TERM_ANCHOR && r.typeName !== CATEGORY_ANCHOR) continue;
    const glossary = links.others.get(r.end1Guid)!;
    return { glossaryGuid: glossary.guid, relationGuid: r.guid, displayText: text(glossary) };
  }
  return undefined;
}

const nonEmpty = (name: string, list: Json[]): Json => (list.length > 0 ? { [name]: list } : {});

export async function renderGlossary(tx: SqlTx, record: EntityRecord): Promise<Json> {
  const links = await linksOf(tx, record.guid, [TERM_ANCHOR, CATEGORY_ANCHOR]);
  const terms: Json[] = [];
  const categories: [EntityRecord, RelationshipRecord][] = [];
  for (const r of links.relationships) {
    const other = links.others.get(r.end2Guid);
    if (!other) continue;
    if (r.typeName === TERM_ANCHOR) terms.push(termHeader(other, r));
    else categories.push([other, r]);
  }
  const parents = await parentsOf(
    tx,
    categories.map(([c]) => c.guid),
  );
  return {
    ...base(record, ["language", "usage"]),
    ...nonEmpty("terms", terms),
    ...nonEmpty(
      "categories",
      categories.map(([c, r]) => categoryHeader(c, r, parents.get(c.guid))),
    ),
  };
}

export async function renderTerm(tx: SqlTx, record: EntityRecord): Promise<Json> {
  const links = await linksOf(tx, record.guid);
  const anchor = anchorHeader(links);
  const related = new Map<string, Json[]>();
  const categories: Json[] = [];
  const assigned: Json[] = [];
  for (const r of links.relationships) {
    const other = links.others.get(otherEnd(r, record.guid))!;
    if (r.typeName === CATEGORIZATION) {
      categories.push({
        categoryGuid: other.guid,
        relationGuid: r.guid,
        displayText: text(other),
        ...present(r.attributes, ["description", "status"]),
      });
    } else if (r.typeName === ASSIGNMENT) {
      assigned.push(relatedObjectId(other, r));
    } else {
      const at = endGuid(r, 1) === record.guid ? 1 : 2;
      const relation = relationAt(r.typeName, at);
      if (!relation) continue;
      const list = related.get(relation.attribute) ?? [];
      list.push(termHeader(other, r));
      related.set(relation.attribute, list);
    }
  }
  const out: Json = {
    ...base(record, ["examples", "abbreviation", "usage"]),
    ...(anchor ? { anchor } : {}),
    ...nonEmpty("assignedEntities", assigned),
    ...nonEmpty("categories", categories),
  };
  for (const relation of TERM_RELATIONS)
    Object.assign(out, nonEmpty(relation.attribute, related.get(relation.attribute) ?? []));
  return out;
}

export async function renderCategory(tx: SqlTx, record: EntityRecord): Promise<Json> {
  const links = await linksOf(tx, record.guid);
  const anchor = anchorHeader(links);
  let parent: Json | undefined;
  const children: Json[] = [];
  const terms: Json[] = [];
  for (const r of links.relationships) {
    const other = links.others.get(otherEnd(r, record.guid))!;
    if (r.typeName === HIERARCHY) {
      if (r.end2Guid === record.guid) parent = categoryHeader(other, r);
      else children.push(categoryHeader(other, r, record.guid));
    } else if (r.typeName === CATEGORIZATION) {
      terms.push(termHeader(other, r));
    }
  }
  return {
    ...base(record, []),
    ...(anchor ? { anchor } : {}),
    ...(parent ? { parentCategory: parent } : {}),
    ...nonEmpty("childrenCategories", children),
    ...nonEmpty("terms", terms),
  };
}

export interface Page {
  limit: number;
  offset: number;
  descending: boolean;
}

/** Atlas's paging of glossary lists: sorted by `key`, from `offset`, at most `limit` (negative: all). */
export function paginate<T>(items: T[], page: Page, key: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return page.descending ? -order : order;
  });
  const end = page.limit < 0 ? undefined : page.offset + page.limit;
  return sorted.slice(page.offset, end);
}

export function displayText(header: Json): string {
  return typeof header.displayText === "string" ? header.displayText : "";
}
