/**
 * Migration 7: each entity name column (name, qualified_name) has ONE index, on lower(); the
 * plain ones are gone. Every exact lookup still probes an index rather than reading the
 * entities of a type — unique attributes of ACTIVE and of deleted entities, `=` and `in` on
 * name and qualifiedName in basic search and DSL — on SQLite (its query plans) and on a real
 * PostgreSQL (the rows its plans read, analyzed). Exact means exact: a name that differs
 * only in case is not a match. (selectActiveByUniques, PostgreSQL's prefetch of a write's
 * names, is checked in pg-statistics.test.ts.)
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import Database from "better-sqlite3";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { statements } from "../../src/store/schema.js";
import { positionalParameters } from "../../src/store/sql.js";
import { SQLITE_DIALECT } from "../../src/store/sqlite.js";
import { createStore } from "../../src/store/index.js";
import type { MetadataStore, StoreConfig } from "../../src/store/types.js";
import {
  entityRowsRead,
  hiveDb,
  postgresStatement,
  storeFactory,
  type BackendName,
} from "./helpers.js";

const server = usePostgres();

/** db0 … db(n-1), and DB7 (db7's name in other case); db9 deleted. */
async function seed(store: MetadataStore, n: number): Promise<void> {
  await store.fence(1);
  const entities = Array.from({ length: n }, (_, i) => hiveDb(`db${i}`, `-${i + 1}`));
  entities.push(hiveDb("DB7", `-${n + 1}`));
  for (let at = 0; at < entities.length; at += 500)
    await store.createOrUpdate(
      1,
      { entities: entities.slice(at, at + 500), referredEntities: {} },
      "admin",
    );
  await store.deleteByUniqueAttribute(
    1,
    { typeName: "hive_db", uniqueAttributes: { qualifiedName: "db9@cl1" } },
    "admin",
  );
}

const names = (result: { entities?: { attributes?: Record<string, unknown> }[] }) =>
  (result.entities ?? []).map((e) => String(e.attributes?.name)).sort();

/** The searches, each with the names it must find. */
const SEARCHES: [string, (store: MetadataStore) => Promise<string[]>, string[]][] = [
  ["basic search qualifiedName =", (s) => basic(s, "qualifiedName", "=", "db7@cl1"), ["db7"]],
  ["basic search name =", (s) => basic(s, "name", "=", "DB7"), ["DB7"]],
  [
    "basic search qualifiedName in",
    (s) => basic(s, "qualifiedName", "in", "db3@cl1,DB7@cl1,db70@cl1"),
    ["DB7", "db3", "db70"],
  ],
  ["basic search name in", (s) => basic(s, "name", "in", "db4,Db4,db44"), ["db4", "db44"]],
  [
    "DSL where qualifiedName =",
    async (s) => names(await s.searchDsl({ query: `hive_db where qualifiedName = "db12@cl1"` })),
    ["db12"],
  ],
  [
    "DSL where name =",
    async (s) => names(await s.searchDsl({ query: `hive_db where name = "DB7"` })),
    ["DB7"],
  ],
];

async function basic(
  store: MetadataStore,
  attributeName: string,
  operator: string,
  attributeValue: string,
): Promise<string[]> {
  const filter = { attributeName, operator, attributeValue };
  return names(await store.searchBasic({ typeName: "hive_db", entityFilters: filter }));
}

/** A store of its own for the tests of a describe (the factory closes its stores after each test). */
function sharedStore(backend: BackendName, entities: number) {
  const stores = storeFactory(backend, server);
  const shared = { store: undefined as unknown as MetadataStore, config: {} as StoreConfig };
  beforeAll(async () => {
    shared.config = await stores.config();
    shared.store = createStore(shared.config);
    await shared.store.migrate();
    await seed(shared.store, entities);
    return () => shared.store.close();
  });
  return shared;
}

/** Unique lookups that must find the exact name, ACTIVE or deleted (both backends' stores). */
async function checkUniqueLookups(store: MetadataStore): Promise<void> {
  const active = await store.getByUniqueAttribute("hive_db", "db7@cl1");
  expect(active?.entity.attributes?.name).toBe("db7");
  expect(await store.getByUniqueAttribute("hive_db", "Db7@cl1")).toBeNull();
  // A deleted entity is found by its name (deleting it again is a no-op); a name in another
  // case is not its name. (Only a delete that must find its entity looks deleted ones up.)
  const deleteOrFail = (qualifiedName: string, offset: string) =>
    store.applyHook(
      1,
      { topic: "ATLAS_HOOK", partition: 0, offset },
      [
        {
          kind: "delete",
          objectIds: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName } }],
          ifMissing: "error",
        },
      ],
      "admin",
    );
  await expect(deleteOrFail("db9@cl1", "1")).resolves.toMatchObject({ applied: true });
  await expect(deleteOrFail("DB9@cl1", "2")).rejects.toMatchObject({
    code: "STORE_ENTITY_NOT_FOUND",
  });
}

describe("the SQLite store's entity name indexes", () => {
  const shared = sharedStore("sqlite", 200);
  let plans: Database.Database;
  beforeAll(() => {
    plans = new Database((shared.config as { path: string }).path, { readonly: true });
    return () => plans.close();
  });

  /** SQLite's plan of `sql` (its `?` parameters NULL), one line per step. */
  const planOf = (sql: string): string[] => {
    const nulls = Array.from(sql.match(/\?/g) ?? [], () => null);
    const rows = plans.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...nulls);
    return (rows as { detail: string }[]).map((row) => row.detail);
  };
  /** Steps that read every row of the entities table, or every entity of a type. */
  const entityReads = (sql: string): string[] =>
    planOf(sql).filter(
      (step) =>
        /^SCAN (e|atlas_entities)\b/.test(step) ||
        /USING (COVERING )?INDEX atlas_entities_(type|type_created|created)\b/.test(step),
    );

  it("has one index per name column: the plain ones are dropped, the lower() ones stay", () => {
    const rows = plans
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'atlas_entities'",
      )
      .all() as { name: string }[];
    const indexes = rows.map((row) => row.name);
    expect(indexes).not.toContain("atlas_entities_name");
    expect(indexes).not.toContain("atlas_entities_qualified_name");
    expect(indexes).toEqual(
      expect.arrayContaining([
        "atlas_entities_name_lower",
        "atlas_entities_qualified_name_lower",
        "atlas_entities_unique_active",
      ]),
    );
  });

  it.each([
    ["selectActiveByUnique", "atlas_entities_unique_active"],
    ["selectActiveByUniqueOfType", "atlas_entities_unique_active"],
    ["selectLatestByUnique", "atlas_entities_qualified_name_lower"],
    ["selectLatestByUniqueOfType", "atlas_entities_qualified_name_lower"],
  ] as const)("%s probes %s", (name, index) => {
    const { text } = positionalParameters(statements(SQLITE_DIALECT)[name], () => "?");
    expect(planOf(text).join("\n")).toContain(index);
    expect(entityReads(text)).toEqual([]);
  });

  it("finds ACTIVE and deleted entities by their exact qualifiedName, not by another case of it", () =>
    checkUniqueLookups(shared.store));

  it.each(SEARCHES)("%s: the exact names only, through an index", async (_what, run, expected) => {
    // The statements better-sqlite3 prepares meanwhile (a search's are new: built per shape).
    const prepare = vi.spyOn(Database.prototype, "prepare");
    let seen: string[];
    try {
      expect(await run(shared.store)).toEqual(expected);
    } finally {
      seen = [...prepare.mock.calls].map(([source]) => source);
      prepare.mockRestore(); // (which forgets the calls)
    }
    const sqls = seen.filter((sql) => /\batlas_entities\b/.test(sql));
    expect(sqls.length).toBeGreaterThan(0);
    for (const sql of sqls) expect(entityReads(sql), sql).toEqual([]);
  });

  it("a sort by name still orders by the exact name (code point order), without its index", async () => {
    const result = await shared.store.searchBasic({
      typeName: "hive_db",
      sortBy: "name",
      entityFilters: { attributeName: "name", operator: "startsWith", attributeValue: "db7" },
    });
    expect((result.entities ?? []).map((e) => e.attributes?.name)).toEqual([
      "DB7",
      "db7",
      ...Array.from({ length: 10 }, (_, i) => `db7${i}`),
    ]);
  });
});

describe("the PostgreSQL store's entity name indexes", () => {
  // Enough rows, analyzed, that reading a type's entities shows against an index's probe.
  const shared = sharedStore("postgres", 2_000);
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: (shared.config as { url: string }).url });
    await admin.connect();
    await admin.query("ANALYZE atlas_entities");
    return () => admin.end();
  });

  it.each([
    ["selectActiveByUniqueOfType", { typeName: "hive_db" }],
    ["selectActiveByUnique", { types: JSON.stringify(["hive_db", "hive_table"]) }],
    ["selectLatestByUniqueOfType", { typeName: "hive_db" }],
    ["selectLatestByUnique", { types: JSON.stringify(["hive_db", "hive_table"]) }],
  ] as const)("%s reads the name's rows only", async (name, extra) => {
    const { text, values } = postgresStatement(name, { qualifiedName: "db9@cl1", ...extra });
    expect(await entityRowsRead(admin, text, values)).toBeLessThanOrEqual(2);
  });

  it("finds ACTIVE and deleted entities by their exact qualifiedName, not by another case of it", () =>
    checkUniqueLookups(shared.store));

  it.each(SEARCHES)("%s: the exact names only, through an index", async (_what, run, expected) => {
    // The queries the store's connections send meanwhile.
    const query = vi.spyOn(pg.Client.prototype, "query");
    let calls: unknown[][];
    try {
      expect(await run(shared.store)).toEqual(expected);
    } finally {
      calls = [...query.mock.calls];
      query.mockRestore(); // (which forgets the calls)
    }
    const seen = calls.flatMap(([text, values]) =>
      typeof text === "string" && Array.isArray(values) ? [[text, values] as const] : [],
    );
    const selects = seen.filter(([text]) => /^\s*SELECT\b[\s\S]*\batlas_entities\b/.test(text));
    expect(selects.length).toBeGreaterThan(0);
    for (const [text, values] of selects)
      expect(await entityRowsRead(admin, text, values), text).toBeLessThanOrEqual(16);
  });
});
