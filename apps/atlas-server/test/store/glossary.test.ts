/**
 * The glossary (Atlas's GlossaryService semantics) on both backends: SQLite and a real
 * PostgreSQL from the testkit. Glossaries, terms and categories are entities and their links
 * relationships, so assignments show on the entity (`meanings`); qualifiedNames derive as
 * Atlas derives them; the refusals carry Atlas's codes and leave nothing behind.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/store/types.js";
import { hiveDb, storeFactory, type BackendName } from "./helpers.js";

const pg = usePostgres();
const USER = "steward";
type Json = Record<string, unknown>;

async function refused(promise: Promise<unknown>): Promise<Json> {
  try {
    await promise;
  } catch (error) {
    return error as Json;
  }
  throw new Error("expected a refusal");
}

async function seed(store: MetadataStore) {
  const g = store.glossary;
  const glossary = await g.createGlossary(1, { name: "Finance", shortDescription: "money" }, USER);
  const [revenue, income] = await g.createTerms(
    1,
    [
      { name: "Revenue", anchor: { glossaryGuid: glossary.guid } },
      { name: "Income", anchor: { glossaryGuid: glossary.guid } },
    ],
    USER,
  );
  return { glossary, revenue: revenue!, income: income! };
}

describe.each<BackendName>(["sqlite", "postgres"])("the glossary on the %s store", (backend) => {
  const stores = storeFactory(backend, pg);

  it("derives term qualifiedNames as name@glossary and lists the terms on the glossary", async () => {
    const { store } = await stores.fresh();
    const { glossary, revenue, income } = await seed(store);
    expect(glossary).toMatchObject({ qualifiedName: "Finance", name: "Finance" });
    expect(revenue).toMatchObject({
      qualifiedName: "Revenue@Finance",
      anchor: { glossaryGuid: glossary.guid, displayText: "Finance" },
    });
    const read = await store.glossary.glossary(glossary.guid as string);
    expect((read.terms as Json[]).map((t) => t.termGuid).sort()).toEqual(
      [revenue.guid, income.guid].sort(),
    );
    const headers = await store.glossary.glossaryTermHeaders(glossary.guid as string, {
      limit: 1,
      offset: 0,
      descending: true,
    });
    expect(headers.map((h) => h.displayText)).toEqual(["Revenue"]);
  });

  it("refuses a second term of the same name in a glossary with 409 ATLAS-409-00-009, and stores nothing", async () => {
    const { store } = await stores.fresh();
    const { glossary } = await seed(store);
    const before = await store.writeLog();
    const error = await refused(
      store.glossary.createTerms(
        1,
        [
          { name: "Margin", anchor: { glossaryGuid: glossary.guid } },
          { name: "Revenue", anchor: { glossaryGuid: glossary.guid } },
        ],
        USER,
      ),
    );
    expect(error).toMatchObject({
      name: "StoreGlossaryExistsError",
      code: "STORE_GLOSSARY_EXISTS",
      httpStatus: 409,
      atlasErrorCode: "ATLAS-409-00-009",
    });
    expect(await store.writeLog()).toHaveLength(before.length);
    const terms = await store.glossary.glossaryTermHeaders(glossary.guid as string, {
      limit: -1,
      offset: 0,
      descending: false,
    });
    expect(terms.map((t) => t.displayText)).toEqual(["Income", "Revenue"]);
  });

  it("relates terms both ways and refuses a relation of a term with itself (ATLAS-400-00-07E)", async () => {
    const { store } = await stores.fresh();
    const { glossary, revenue, income } = await seed(store);
    const anchor = { glossaryGuid: glossary.guid };
    const updated = await store.glossary.updateTerm(
      1,
      revenue.guid as string,
      {
        name: "Revenue",
        anchor,
        synonyms: [{ termGuid: income.guid, status: "ACTIVE", description: "same thing" }],
        preferredTerms: [{ termGuid: income.guid }],
      },
      USER,
    );
    expect(updated.synonyms).toEqual([
      expect.objectContaining({
        termGuid: income.guid,
        status: "ACTIVE",
        description: "same thing",
      }),
    ]);
    const other = await store.glossary.term(income.guid as string);
    expect(other.synonyms).toEqual([expect.objectContaining({ termGuid: revenue.guid })]);
    expect(other.preferredToTerms).toEqual([expect.objectContaining({ termGuid: revenue.guid })]);
    const related = await store.glossary.relatedTerms(income.guid as string, {
      limit: -1,
      offset: 0,
      descending: false,
    });
    expect(Object.keys(related).sort()).toEqual(["PREFERRED_TO_TERMS", "SYNONYMS"]);
    const error = await refused(
      store.glossary.updateTerm(
        1,
        revenue.guid as string,
        { name: "Revenue", anchor, seeAlso: [{ termGuid: revenue.guid }] },
        USER,
      ),
    );
    expect(error).toMatchObject({
      code: "STORE_GLOSSARY_INVALID",
      atlasErrorCode: "ATLAS-400-00-07E",
    });
    // An update drops the relations it does not list (Atlas's UPDATE).
    const cleared = await store.glossary.updateTerm(
      1,
      revenue.guid as string,
      { name: "Revenue", anchor },
      USER,
    );
    expect(cleared.synonyms).toBeUndefined();
    expect((await store.glossary.term(income.guid as string)).synonyms).toBeUndefined();
  });

  it("assigns a term to an entity, shows it as the entity's meanings, and refuses to delete the term", async () => {
    const { store } = await stores.fresh();
    const { glossary, revenue } = await seed(store);
    const created = await store.createOrUpdate(
      1,
      { entities: [hiveDb("sales")], referredEntities: {} },
      USER,
    );
    const db = created.mutatedEntities.CREATE![0]!.guid;
    await store.glossary.assignTerm(1, revenue.guid as string, [{ guid: db }], USER);
    const entity = (await store.getByGuid(db))!.entity;
    expect(entity.relationshipAttributes.meanings).toEqual([
      expect.objectContaining({ guid: revenue.guid, typeName: "AtlasGlossaryTerm" }),
    ]);
    const assigned = await store.glossary.assignedEntities(revenue.guid as string, {
      limit: -1,
      offset: 0,
      descending: false,
    });
    expect(assigned).toEqual([expect.objectContaining({ guid: db, typeName: "hive_db" })]);
    // Assigned a second time without the relationship: Atlas's 409.
    expect(
      await refused(store.glossary.assignTerm(1, revenue.guid as string, [{ guid: db }], USER)),
    ).toMatchObject({ httpStatus: 409, atlasErrorCode: "ATLAS-409-00-004" });
    // One after the other: a second attempt made up front may be refused before the first
    // is awaited, an unhandled rejection meanwhile.
    for (const attempt of [
      () => store.glossary.deleteTerm(1, revenue.guid as string, USER),
      () => store.glossary.deleteGlossary(1, glossary.guid as string, USER),
    ])
      expect(await refused(attempt())).toMatchObject({
        httpStatus: 400,
        atlasErrorCode: "ATLAS-400-00-084",
      });
    // Disassociation needs the assignment's relationship guid.
    expect(
      await refused(
        store.glossary.disassociateTerm(1, revenue.guid as string, [{ guid: db }], USER),
      ),
    ).toMatchObject({ atlasErrorCode: "ATLAS-400-00-078" });
    await store.glossary.disassociateTerm(
      1,
      revenue.guid as string,
      [{ guid: db, relationshipGuid: assigned[0]!.relationshipGuid }],
      USER,
    );
    expect((await store.getByGuid(db))!.entity.relationshipAttributes.meanings).toEqual([
      expect.objectContaining({ guid: revenue.guid, relationshipStatus: "DELETED" }),
    ]);
    await store.glossary.deleteGlossary(1, glossary.guid as string, USER);
    // The glossary's terms go with it (COMPOSITION), as in Atlas.
    expect(await refused(store.glossary.term(revenue.guid as string))).toMatchObject({
      httpStatus: 404,
      atlasErrorCode: "ATLAS-404-00-005",
    });
  });

  it("a term given as an entity's meanings in an entity write is an assignment the term lists", async () => {
    const { store } = await stores.fresh();
    const { revenue } = await seed(store);
    const db = hiveDb("ledger");
    db.relationshipAttributes = {
      meanings: [{ guid: revenue.guid as string, typeName: "AtlasGlossaryTerm" }],
    };
    const created = await store.createOrUpdate(1, { entities: [db], referredEntities: {} }, USER, {
      createShells: false,
    });
    const guid = created.mutatedEntities.CREATE![0]!.guid;
    const term = await store.glossary.term(revenue.guid as string);
    expect(term.assignedEntities).toEqual([
      expect.objectContaining({ guid, relationshipType: "AtlasGlossarySemanticAssignment" }),
    ]);
    // Deleting the entity ends the assignment: the term can go.
    await store.deleteByGuid(1, guid, USER);
    expect((await store.glossary.term(revenue.guid as string)).assignedEntities).toBeUndefined();
    await store.glossary.deleteTerm(1, revenue.guid as string, USER);
  });

  it("a rename keeps a term's qualifiedName; a move to another glossary re-derives it, refused (409) when taken", async () => {
    const { store } = await stores.fresh();
    const { glossary, revenue } = await seed(store);
    const other = await store.glossary.createGlossary(1, { name: "Sales" }, USER);
    await store.glossary.createTerms(
      1,
      [{ name: "Turnover", anchor: { glossaryGuid: other.guid } }],
      USER,
    );
    const guid = revenue.guid as string;
    const renamed = await store.glossary.updateTerm(
      1,
      guid,
      { name: "Turnover", anchor: { glossaryGuid: glossary.guid } },
      USER,
    );
    expect(renamed).toMatchObject({ name: "Turnover", qualifiedName: "Revenue@Finance" });
    expect(
      await refused(
        store.glossary.updateTerm(
          1,
          guid,
          { name: "Turnover", anchor: { glossaryGuid: other.guid } },
          USER,
        ),
      ),
    ).toMatchObject({ httpStatus: 409, atlasErrorCode: "ATLAS-409-00-009" });
    const moved = await store.glossary.updateTerm(
      1,
      guid,
      { name: "Sales revenue", anchor: { glossaryGuid: other.guid } },
      USER,
    );
    expect(moved).toMatchObject({
      qualifiedName: "Sales revenue@Sales",
      anchor: { glossaryGuid: other.guid },
    });
    expect((await store.glossary.glossary(glossary.guid as string)).terms).toEqual([
      expect.objectContaining({ displayText: "Income" }),
    ]);
  });

  it("derives category qualifiedNames from the parent, re-derives the subtree on a move, and refuses a loop", async () => {
    const { store } = await stores.fresh();
    const { glossary } = await seed(store);
    const anchor = { glossaryGuid: glossary.guid };
    const [top] = await store.glossary.createCategories(1, [{ name: "Accounts", anchor }], USER);
    const [mid] = await store.glossary.createCategories(
      1,
      [{ name: "Ledger", anchor, parentCategory: { categoryGuid: top!.guid } }],
      USER,
    );
    const [leaf] = await store.glossary.createCategories(
      1,
      [{ name: "Entries", anchor, parentCategory: { categoryGuid: mid!.guid } }],
      USER,
    );
    expect([top!.qualifiedName, mid!.qualifiedName, leaf!.qualifiedName]).toEqual([
      "Accounts@Finance",
      "Ledger.Accounts@Finance",
      "Entries.Ledger.Accounts@Finance",
    ]);
    // A loop: the top below its own grandchild.
    const loop = await refused(
      store.glossary.updateCategory(
        1,
        top!.guid as string,
        { name: "Accounts", anchor, parentCategory: { categoryGuid: leaf!.guid } },
        USER,
      ),
    );
    expect(loop).toMatchObject({ httpStatus: 400, atlasErrorCode: "ATLAS-400-00-029" });
    // Ledger moves to the top (keeping its child): it and its child are renamed.
    await store.glossary.updateCategory(
      1,
      mid!.guid as string,
      { name: "Ledger", anchor, childrenCategories: [{ categoryGuid: leaf!.guid }] },
      USER,
    );
    expect((await store.glossary.category(leaf!.guid as string)).qualifiedName).toBe(
      "Entries.Ledger@Finance",
    );
    const related = await store.glossary.relatedCategories(mid!.guid as string, {
      limit: -1,
      offset: 0,
      descending: false,
    });
    expect(related).toEqual({ children: [expect.objectContaining({ categoryGuid: leaf!.guid })] });
    // A PUT that lists no children drops them (Atlas's UPDATE): they go to the top.
    await store.glossary.updateCategory(1, mid!.guid as string, { name: "Ledger", anchor }, USER);
    expect((await store.glossary.category(leaf!.guid as string)).qualifiedName).toBe(
      "Entries@Finance",
    );
  });

  it("answers 404 for a term anchored to a glossary that does not exist, 400 for one without an anchor", async () => {
    const { store } = await stores.fresh();
    expect(
      await refused(
        store.glossary.createTerms(1, [{ name: "x", anchor: { glossaryGuid: "nope" } }], USER),
      ),
    ).toMatchObject({ httpStatus: 404, atlasErrorCode: "ATLAS-404-00-005" });
    expect(await refused(store.glossary.createTerms(1, [{ name: "x" }], USER))).toMatchObject({
      httpStatus: 400,
      atlasErrorCode: "ATLAS-400-00-072",
    });
  });

  it("refuses a write from a fenced epoch before it changes anything", async () => {
    const { store } = await stores.fresh();
    await store.fence(5);
    expect(await refused(store.glossary.createGlossary(4, { name: "Late" }, USER))).toMatchObject({
      code: "STORE_FENCED",
    });
    expect(await store.glossary.glossaries({ limit: -1, offset: 0, descending: false })).toEqual(
      [],
    );
  });
});
