/**
 * Atlas's glossary (GlossaryREST / GlossaryService) over the store: every read in one read
 * transaction, every write in one fenced write transaction (a stale active cannot write).
 * Glossaries, terms and categories are entities of the glossary model's types and their links
 * relationships (models/glossary.ts), so an entity's GET shows the terms assigned to it as
 * `relationshipAttributes.meanings`.
 */
import type { EntityRecord } from "./entities.js";
import { createCategory, deleteCategory, updateCategory } from "./glossary-categories.js";
import { badRequest, GlossaryWrite, invalid } from "./glossary-links.js";
import {
  ASSIGNMENT,
  CATEGORY,
  GLOSSARY,
  TERM,
  displayText,
  linksOf,
  loadActive,
  paginate,
  relationAt,
  renderCategory,
  renderGlossary,
  renderTerm,
  termHeader,
  TERM_RELATIONS,
  type Json,
  type Page,
} from "./glossary-read.js";
import {
  assignTerm,
  createGlossary,
  createTerm,
  deleteGlossary,
  deleteTerm,
  disassociateTerm,
  updateGlossary,
  updateTerm,
} from "./glossary-terms.js";
import type { MutationContext } from "./mutation.js";
import { endGuid, otherEnd, relatedObjectId } from "./relationships.js";
import type { SqlTx } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";

export type { Page as GlossaryPage } from "./glossary-read.js";
export type GlossaryJson = Json;

/** The transactions the glossary runs in, as the store's core gives them. */
export interface GlossaryTransactions {
  read<T>(work: (tx: SqlTx, types: TypeRegistry) => Promise<T>): Promise<T>;
  write(
    epoch: number,
    user: string,
    operation: string,
    work: (context: MutationContext) => Promise<number>,
  ): Promise<void>;
}

/** What Atlas lets a partial update (`…/partial`) change, per kind. */
const PARTIAL = {
  Glossary: ["name", "shortDescription", "longDescription", "language", "usage"],
  "Glossary Term": ["name", "shortDescription", "longDescription", "abbreviation", "usage"],
  "Glossary Category": ["name", "shortDescription", "longDescription"],
} as const;

type Kind = keyof typeof PARTIAL;

function overlay(current: Json, kind: Kind, updates: unknown): Json {
  if (typeof updates !== "object" || updates === null || Array.isArray(updates))
    throw badRequest("PartialUpdates missing or empty");
  const entries = Object.entries(updates as Record<string, unknown>);
  if (entries.length === 0) throw badRequest("PartialUpdates missing or empty");
  const allowed: readonly string[] = PARTIAL[kind];
  const out = { ...current };
  for (const [key, value] of entries) {
    if (!allowed.includes(key))
      throw invalid(
        "INVALID_PARTIAL_UPDATE_ATTR",
        `Invalid attribute ${key} for partial update of ${kind}`,
      );
    if (value !== null && typeof value !== "string")
      throw badRequest(`partial update of ${key}: expected a string`);
    out[key] = value;
  }
  return out;
}

/** A page of a glossary's term or category headers, by displayText. */
async function listOf(
  tx: SqlTx,
  guid: string,
  list: "terms" | "categories",
  page: Page,
): Promise<Json[]> {
  const glossary = await renderGlossary(tx, await loadActive(tx, guid, GLOSSARY));
  return paginate((glossary[list] ?? []) as Json[], page, displayText);
}

export class GlossaryStore {
  readonly #t: GlossaryTransactions;

  constructor(transactions: GlossaryTransactions) {
    this.#t = transactions;
  }

  // ------------------------------------------------------------------ reads

  /** Every ACTIVE glossary, by qualifiedName. */
  glossaries(page: Page): Promise<Json[]> {
    return this.#t.read(async (tx) => {
      const all: EntityRecord[] = [];
      for (let offset = 0; ; offset += 1000) {
        const records = await tx.entitiesOfTypes([GLOSSARY], {
          excludeDeleted: true,
          limit: 1000,
          offset,
        });
        all.push(...records);
        if (records.length < 1000) break;
      }
      const chosen = paginate(all, page, (r) => r.qualifiedName ?? "");
      const out: Json[] = [];
      for (const record of chosen) out.push(await renderGlossary(tx, record));
      return out;
    });
  }

  glossary(guid: string): Promise<Json> {
    return this.#t.read(async (tx) => renderGlossary(tx, await loadActive(tx, guid, GLOSSARY)));
  }

  /** AtlasGlossaryExtInfo: the glossary with its terms and categories in full. */
  detailedGlossary(guid: string): Promise<Json> {
    return this.#t.read(async (tx) => {
      const glossary = await renderGlossary(tx, await loadActive(tx, guid, GLOSSARY));
      const termInfo: Json = {};
      for (const h of (glossary.terms ?? []) as Json[]) {
        const guid = h.termGuid as string;
        termInfo[guid] = await renderTerm(tx, await loadActive(tx, guid, TERM));
      }
      const categoryInfo: Json = {};
      for (const h of (glossary.categories ?? []) as Json[]) {
        const guid = h.categoryGuid as string;
        categoryInfo[guid] = await renderCategory(tx, await loadActive(tx, guid, CATEGORY));
      }
      return { ...glossary, termInfo, categoryInfo };
    });
  }

  term(guid: string): Promise<Json> {
    return this.#t.read(async (tx) => renderTerm(tx, await loadActive(tx, guid, TERM)));
  }

  category(guid: string): Promise<Json> {
    return this.#t.read(async (tx) => renderCategory(tx, await loadActive(tx, guid, CATEGORY)));
  }

  /** The glossary's term headers, by displayText. */
  glossaryTermHeaders(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read((tx) => listOf(tx, guid, "terms", page));
  }

  glossaryTerms(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read(async (tx) => {
      const out: Json[] = [];
      for (const h of await listOf(tx, guid, "terms", page))
        out.push(await renderTerm(tx, await loadActive(tx, h.termGuid as string, TERM)));
      return out;
    });
  }

  glossaryCategoryHeaders(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read((tx) => listOf(tx, guid, "categories", page));
  }

  glossaryCategories(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read(async (tx) => {
      const out: Json[] = [];
      for (const h of await listOf(tx, guid, "categories", page))
        out.push(
          await renderCategory(tx, await loadActive(tx, h.categoryGuid as string, CATEGORY)),
        );
      return out;
    });
  }

  categoryTerms(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read(async (tx) => {
      const category = await renderCategory(tx, await loadActive(tx, guid, CATEGORY));
      return paginate((category.terms ?? []) as Json[], page, displayText);
    });
  }

  /** Atlas's Map<Relation, Set<AtlasRelatedTermHeader>>: each relation the term has, paged. */
  relatedTerms(guid: string, page: Page): Promise<Json> {
    return this.#t.read(async (tx) => {
      const term = await loadActive(tx, guid, TERM);
      const links = await linksOf(tx, guid);
      const out: Record<string, Json[]> = {};
      for (const r of links.relationships) {
        const relation = relationAt(r.typeName, endGuid(r, 1) === guid ? 1 : 2);
        if (!relation || r.typeName === ASSIGNMENT) continue;
        (out[relation.key] ??= []).push(termHeader(links.others.get(otherEnd(r, term.guid))!, r));
      }
      const result: Json = {};
      for (const relation of TERM_RELATIONS) {
        const list = out[relation.key];
        if (list) result[relation.key] = paginate(list, page, displayText);
      }
      return result;
    });
  }

  /** Atlas's `{"parent": [...], "children": [...]}` of a category. */
  relatedCategories(guid: string, page: Page): Promise<Json> {
    return this.#t.read(async (tx) => {
      const category = await renderCategory(tx, await loadActive(tx, guid, CATEGORY));
      const out: Json = {};
      if (category.parentCategory) out.parent = [category.parentCategory];
      const children = (category.childrenCategories ?? []) as Json[];
      if (children.length > 0) out.children = paginate(children, page, displayText);
      return out;
    });
  }

  /** The entities the term is assigned to (AtlasRelatedObjectId), by displayText. */
  assignedEntities(guid: string, page: Page): Promise<Json[]> {
    return this.#t.read(async (tx) => {
      await loadActive(tx, guid, TERM);
      const links = await linksOf(tx, guid, [ASSIGNMENT]);
      const ids = links.relationships
        .filter((r) => r.end1Guid === guid)
        .map((r) => relatedObjectId(links.others.get(r.end2Guid)!, r));
      return paginate(ids, page, displayText);
    });
  }

  // ----------------------------------------------------------------- writes

  async #write<T>(
    epoch: number,
    user: string,
    operation: string,
    work: (w: GlossaryWrite) => Promise<T>,
  ): Promise<T> {
    let out: T | undefined;
    await this.#t.write(epoch, user, operation, async (context) => {
      const w = new GlossaryWrite(context);
      out = await work(w);
      return w.changed;
    });
    return out!;
  }

  createGlossary(epoch: number, body: unknown, user: string): Promise<Json> {
    return this.#write(epoch, user, "GLOSSARY_CREATE", async (w) =>
      renderGlossary(w.c.tx, await createGlossary(w, body)),
    );
  }

  updateGlossary(epoch: number, guid: string, body: unknown, user: string): Promise<Json> {
    return this.#write(epoch, user, "GLOSSARY_UPDATE", async (w) =>
      renderGlossary(w.c.tx, await updateGlossary(w, guid, body)),
    );
  }

  partialUpdateGlossary(epoch: number, guid: string, updates: unknown, user: string) {
    return this.#write(epoch, user, "GLOSSARY_UPDATE", async (w) => {
      const current = await renderGlossary(w.c.tx, await loadActive(w.c.tx, guid, GLOSSARY));
      const record = await updateGlossary(w, guid, overlay(current, "Glossary", updates));
      return renderGlossary(w.c.tx, record);
    });
  }

  deleteGlossary(epoch: number, guid: string, user: string): Promise<void> {
    return this.#write(epoch, user, "GLOSSARY_DELETE", (w) => deleteGlossary(w, guid));
  }

  /** One term, or several (POST glossary/terms): all or none. */
  createTerms(epoch: number, bodies: unknown[], user: string): Promise<Json[]> {
    return this.#write(epoch, user, "GLOSSARY_TERM_CREATE", async (w) => {
      const created: EntityRecord[] = [];
      for (const body of bodies) created.push(await createTerm(w, body));
      const out: Json[] = [];
      for (const term of created) out.push(await renderTerm(w.c.tx, term));
      return out;
    });
  }

  updateTerm(epoch: number, guid: string, body: unknown, user: string): Promise<Json> {
    return this.#write(epoch, user, "GLOSSARY_TERM_UPDATE", async (w) =>
      renderTerm(w.c.tx, await updateTerm(w, guid, body)),
    );
  }

  partialUpdateTerm(epoch: number, guid: string, updates: unknown, user: string) {
    return this.#write(epoch, user, "GLOSSARY_TERM_UPDATE", async (w) => {
      const current = await renderTerm(w.c.tx, await loadActive(w.c.tx, guid, TERM));
      return renderTerm(
        w.c.tx,
        await updateTerm(w, guid, overlay(current, "Glossary Term", updates)),
      );
    });
  }

  deleteTerm(epoch: number, guid: string, user: string): Promise<void> {
    return this.#write(epoch, user, "GLOSSARY_TERM_DELETE", (w) => deleteTerm(w, guid));
  }

  /** One category, or several (POST glossary/categories): all or none. */
  createCategories(epoch: number, bodies: unknown[], user: string): Promise<Json[]> {
    return this.#write(epoch, user, "GLOSSARY_CATEGORY_CREATE", async (w) => {
      const created: EntityRecord[] = [];
      for (const body of bodies) created.push(await createCategory(w, body));
      const out: Json[] = [];
      for (const category of created) out.push(await renderCategory(w.c.tx, category));
      return out;
    });
  }

  updateCategory(epoch: number, guid: string, body: unknown, user: string): Promise<Json> {
    return this.#write(epoch, user, "GLOSSARY_CATEGORY_UPDATE", async (w) =>
      renderCategory(w.c.tx, await updateCategory(w, guid, body)),
    );
  }

  partialUpdateCategory(epoch: number, guid: string, updates: unknown, user: string) {
    return this.#write(epoch, user, "GLOSSARY_CATEGORY_UPDATE", async (w) => {
      const current = await renderCategory(w.c.tx, await loadActive(w.c.tx, guid, CATEGORY));
      const record = await updateCategory(w, guid, overlay(current, "Glossary Category", updates));
      return renderCategory(w.c.tx, record);
    });
  }

  deleteCategory(epoch: number, guid: string, user: string): Promise<void> {
    return this.#write(epoch, user, "GLOSSARY_CATEGORY_DELETE", (w) => deleteCategory(w, guid));
  }

  assignTerm(epoch: number, guid: string, relatedObjectIds: unknown, user: string): Promise<void> {
    return this.#write(epoch, user, "GLOSSARY_TERM_ASSIGN", (w) =>
      assignTerm(w, guid, relatedObjectIds),
    );
  }

  disassociateTerm(
    epoch: number,
    guid: string,
    relatedObjectIds: unknown,
    user: string,
  ): Promise<void> {
    return this.#write(epoch, user, "GLOSSARY_TERM_DISASSOCIATE", (w) =>
      disassociateTerm(w, guid, relatedObjectIds),
    );
  }
}
