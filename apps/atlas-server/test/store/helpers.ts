import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import type { PostgresServer } from "@atlas-ha/testkit";
import type pg from "pg";
import { afterAll, afterEach } from "vitest";
import { createStore } from "../../src/store/index.js";
import { POSTGRES_DIALECT } from "../../src/store/postgres.js";
import { statements } from "../../src/store/schema.js";
import { positionalParameters, type SqlParams, type StoreSql } from "../../src/store/sql.js";
import { SqliteBackend } from "../../src/store/sqlite.js";
import type { MetadataStore, StoreConfig, StoreDeps } from "../../src/store/types.js";

export type BackendName = "sqlite" | "postgres";

/**
 * Fresh databases for each test: a new SQLite file in a temp dir, or a new database on the
 * suite's PostgreSQL server. Stores opened through it are closed after each test.
 */
export function storeFactory(backend: BackendName, pg: () => PostgresServer) {
  const opened: MetadataStore[] = [];
  const dir = mkdtempSync(join(tmpdir(), "atlas-store-test-"));
  let counter = 0;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const factory = {
    async config(): Promise<StoreConfig> {
      counter += 1;
      if (backend === "sqlite")
        return { backend: "sqlite", path: join(dir, `store-${counter}`, "atlas.db") };
      return {
        backend: "postgres",
        url: await pg().createDatabase(`store_${process.pid}_${counter}`),
      };
    },
    open(config: StoreConfig, deps: StoreDeps = {}): MetadataStore {
      const store = createStore(config, deps);
      opened.push(store);
      return store;
    },
    /** A migrated store on a fresh database. */
    async fresh(deps: StoreDeps = {}): Promise<{ store: MetadataStore; config: StoreConfig }> {
      const config = await factory.config();
      const store = factory.open(config, deps);
      await store.migrate();
      return { store, config };
    },
  };
  return factory;
}

export function hiveDb(
  name: string,
  guid = "-1",
  extra: Record<string, unknown> = {},
): AtlasEntity {
  return {
    typeName: "hive_db",
    guid,
    attributes: { qualifiedName: `${name}@cl1`, name, clusterName: "cl1", owner: "hive", ...extra },
  };
}

/** A hive_table with its storage descriptor and columns as referred entities, as the Hive hook sends it. */
export function hiveTableWithColumns(db: string, table: string, columns: string[]) {
  const tableQn = `${db}.${table}@cl1`;
  const referredEntities: Record<string, AtlasEntity> = {};
  const columnRefs = columns.map((col, i) => {
    const guid = `-${100 + i}`;
    referredEntities[guid] = {
      typeName: "hive_column",
      guid,
      attributes: {
        qualifiedName: `${db}.${table}.${col}@cl1`,
        name: col,
        type: "string",
        position: i,
      },
      relationshipAttributes: { table: { guid: "-10", typeName: "hive_table" } },
    };
    return { guid, typeName: "hive_column", relationshipType: "hive_table_columns" };
  });
  referredEntities["-20"] = {
    typeName: "hive_storagedesc",
    guid: "-20",
    attributes: {
      qualifiedName: `${tableQn}_storage`,
      location: `hdfs://nn/warehouse/${db}.db/${table}`,
      compressed: false,
    },
    relationshipAttributes: { table: { guid: "-10", typeName: "hive_table" } },
  };
  const entity = {
    typeName: "hive_table",
    guid: "-10",
    attributes: { qualifiedName: tableQn, name: table, owner: "hive", tableType: "MANAGED_TABLE" },
    relationshipAttributes: {
      db: { typeName: "hive_db", uniqueAttributes: { qualifiedName: `${db}@cl1` } },
      columns: columnRefs,
      sd: { guid: "-20", typeName: "hive_storagedesc" },
    },
  } as AtlasEntity;
  return { entities: [entity], referredEntities };
}

/** What Atlas's Hive model requires of a hive_process besides its names (`isOptional: false`). */
export const hiveProcessRequired = {
  operationType: "QUERY",
  queryText: "insert into t select * from s",
  queryPlan: "Not Supported",
  queryId: "hive_20260101_0001",
  startTime: 1_767_225_600_000,
  endTime: 1_767_225_600_100,
  userName: "hive",
};

/** A new SqliteBackend on its own file in a temp dir per call; closed and removed after each test. */
export function useSqliteBackends(prefix: string): () => SqliteBackend {
  const opened: { backend: SqliteBackend; dir: string }[] = [];
  afterEach(async () => {
    for (const { backend, dir } of opened.splice(0)) {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const backend = new SqliteBackend({ path: join(dir, "store.db") });
    opened.push({ backend, dir });
    return backend;
  };
}

/** The names of the store's statements (StoreSql also holds groups of them). */
type StatementName = {
  [K in keyof StoreSql]: StoreSql[K] extends string ? K : never;
}[keyof StoreSql];

/** One of the store's statements as PostgreSQL receives it: `$n` placeholders and their values. */
export function postgresStatement(
  name: StatementName,
  params: SqlParams,
): { text: string; values: unknown[] } {
  const { text, names } = positionalParameters(
    statements(POSTGRES_DIALECT)[name],
    (index) => `$${index + 1}`,
    true,
  );
  return { text, values: names.map((n) => params[n] ?? null) };
}

interface PlanNode {
  "Relation Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/**
 * The rows of atlas_entities PostgreSQL reads to run `text` with `values` (`EXPLAIN
 * ANALYZE`): those its plan keeps and those its filters drop, in every loop.
 */
export async function entityRowsRead(
  client: pg.Client,
  text: string,
  values: unknown[],
): Promise<number> {
  const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
  const read = (node: PlanNode): number =>
    (node["Relation Name"] === "atlas_entities"
      ? (node["Actual Rows"] +
          (node["Rows Removed by Filter"] ?? 0) +
          (node["Rows Removed by Index Recheck"] ?? 0)) *
        node["Actual Loops"]
      : 0) + (node.Plans ?? []).reduce((sum, child) => sum + read(child), 0);
  return read((result.rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
}
