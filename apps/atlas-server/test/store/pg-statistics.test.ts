/**
 * PostgreSQL (real server from the testkit): the writing instance keeps the planner
 * statistics of the store's key-list tables current (pg-statistics.ts): a table changed past
 * autovacuum's rule is analyzed at the next check, a check runs at most once per interval and
 * once after a burst's last write, never waits for a lock another session holds, leaves
 * tables it does not own alone, and pauses after a failure. Through the store: on a fresh
 * database with autovacuum off, the entity table gets statistics while hooks are applied, and
 * the lookups of each write then probe an index instead of scanning the table.
 */
import { waitFor } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { PlannerStatistics, type PlannerStatisticsOptions } from "../../src/store/pg-statistics.js";
import type { StoreLogger } from "../../src/store/types.js";
import { entityRowsRead, hiveDb, postgresStatement, storeFactory } from "./helpers.js";

const { Pool, Client } = pg;

interface Logged {
  event?: string;
  [key: string]: unknown;
}

function recorder(): { logger: StoreLogger; events: Logged[] } {
  const events: Logged[] = [];
  const record = (o: unknown) => void events.push(o as Logged);
  const logger = { debug: record, info: record, warn: record, error: record } as StoreLogger;
  return { logger, events };
}

describe("planner statistics (PostgreSQL)", () => {
  const server = usePostgres();
  const closing: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c.close().catch(() => undefined);
  });

  /** A pool on `url` (as given: another user, a missing database), closed after the test. */
  const poolAt = (url: URL | string) => {
    const pool = new Pool({ connectionString: url.toString(), max: 2 });
    closing.push({ close: () => pool.end() });
    return pool;
  };
  /** PlannerStatistics on `pool`, its log events recorded, closed after the test. */
  const watch = (pool: pg.Pool, options: PlannerStatisticsOptions) => {
    const { logger, events } = recorder();
    const stats = new PlannerStatistics(pool, logger, options);
    closing.push(stats);
    return { stats, events };
  };

  let databases = 0;
  /** A fresh database with tables a and b (autovacuum off: only the checks analyze them). */
  const fresh = async () => {
    const url = await server().createDatabase(`stats_${process.pid}_${++databases}`);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    closing.push({ close: () => admin.end() });
    for (const t of ["a", "b"])
      await admin.query(
        `CREATE TABLE ${t} (id INT PRIMARY KEY, v TEXT) WITH (autovacuum_enabled = off)`,
      );
    return { url, admin, pool: poolAt(url) };
  };

  /** Inserts `rows` rows into `table` and waits until the statistics system counts them. */
  const insert = async (admin: pg.Client, table: string, rows: number) => {
    const before = await changed(admin, table);
    await admin.query(
      `INSERT INTO ${table} SELECT g, md5(g::text) FROM generate_series(
         (SELECT COALESCE(MAX(id), 0) + 1 FROM ${table}),
         (SELECT COALESCE(MAX(id), 0) + $1::int FROM ${table})) AS g`,
      [rows],
    );
    await admin.query("SELECT pg_stat_force_next_flush()");
    await waitFor(async () => (await changed(admin, table)) >= before + rows, {
      timeoutMs: 15_000,
      what: `${rows} changes of ${table} counted`,
    });
  };
  /** A counter of `table` in pg_stat_user_tables (0 before the table is counted at all). */
  const statOf = async (
    c: pg.Client,
    table: string,
    column: "n_mod_since_analyze" | "analyze_count",
  ) =>
    Number(
      (await c.query(`SELECT ${column} AS n FROM pg_stat_user_tables WHERE relname = $1`, [table]))
        .rows[0]?.n ?? 0,
    );
  const changed = (c: pg.Client, table: string) => statOf(c, table, "n_mod_since_analyze");
  const analyzed = (c: pg.Client, table: string) => statOf(c, table, "analyze_count");
  /** Waits until `table` was analyzed `times` times in all. */
  const analyzedTimes = (
    c: pg.Client,
    table: string,
    times: number,
    what: string,
    timeoutMs = 10_000,
  ) => waitFor(async () => (await analyzed(c, table)) === times, { timeoutMs, what });

  it("analyzes a table changed past threshold + scale × rows, and leaves one below it", async () => {
    const { admin, pool } = await fresh();
    // maxShare 1: a table may be analyzed again at once (the next test defers it).
    const { stats } = watch(pool, {
      tables: ["a", "b"],
      threshold: 100,
      intervalMs: 0,
      maxShare: 1,
    });
    await insert(admin, "a", 300);
    await insert(admin, "b", 50);
    await stats.wrote();
    await analyzedTimes(admin, "a", 1, "a's analysis counted");
    expect(await analyzed(admin, "b")).toBe(0);

    // a now has ~300 rows: 100 + 0.1 × 300 = 130 changes call for the next analysis.
    await insert(admin, "a", 120);
    await stats.wrote();
    expect(await analyzed(admin, "a")).toBe(1);
    await insert(admin, "a", 20);
    await stats.wrote();
    await analyzedTimes(admin, "a", 2, "a's second analysis counted");
  });

  it("defers a table's next analysis so that its analyses take at most maxShare of the time", async () => {
    const { admin, pool } = await fresh();
    // A millionth: after an analysis of t ms, the next waits t × 999,999 ms (here: for ever).
    const { stats, events } = watch(pool, {
      tables: ["a", "b"],
      threshold: 100,
      intervalMs: 0,
      maxShare: 1e-6,
    });
    await insert(admin, "a", 300);
    await stats.wrote();
    await analyzedTimes(admin, "a", 1, "a's first analysis counted");
    // Both past the rule now: b is analyzed, a is deferred.
    await insert(admin, "a", 300);
    await insert(admin, "b", 300);
    await stats.wrote();
    await analyzedTimes(admin, "b", 1, "b's analysis counted");
    expect(await analyzed(admin, "a")).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({ event: "store_statistics_deferred", table: "a", changedRows: 300 }),
    );
    expect(() => watch(pool, { maxShare: 0 })).toThrow(RangeError);
  });

  it("checks at most once per interval, and once more after the last write of a burst", async () => {
    const { admin, pool } = await fresh();
    const { stats } = watch(pool, {
      tables: ["a"],
      threshold: 100,
      intervalMs: 1_500,
    });
    const first = stats.wrote();
    expect(first, "the first write starts a check").toBeDefined();
    await first;
    await insert(admin, "a", 500);
    expect(stats.wrote(), "within the interval: no check now").toBeUndefined();
    expect(stats.wrote()).toBeUndefined();
    // No write after these: only the trailing check can analyze a.
    await analyzedTimes(admin, "a", 1, "the check after the burst", 15_000);
  });

  it("does not wait for a table another session holds: it is left to the next check", async () => {
    const { url, admin, pool } = await fresh();
    const { stats, events } = watch(pool, {
      tables: ["a"],
      threshold: 100,
      intervalMs: 0,
      lockWaitMs: 50,
    });
    await insert(admin, "a", 300);
    const holder = new Client({ connectionString: url });
    await holder.connect();
    closing.push({ close: () => holder.end() });
    // The lock ANALYZE and VACUUM take: a running VACUUM or ANALYZE would hold it.
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE a IN SHARE UPDATE EXCLUSIVE MODE");
    await stats.wrote();
    expect(events.map((e) => e.event)).toContain("store_statistics_busy");
    expect(await analyzed(admin, "a")).toBe(0);

    await holder.query("COMMIT");
    await stats.wrote();
    await analyzedTimes(admin, "a", 1, "a's analysis once the lock is gone");
    expect(events.map((e) => e.event)).toContain("store_statistics_refreshed");
  });

  it("leaves tables this role does not own alone", async () => {
    const { url, admin } = await fresh();
    const role = `stats_writer_${process.pid}_${databases}`;
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT ALL ON a TO ${role}`);
    const asWriter = new URL(url);
    asWriter.username = role;
    const pool = poolAt(asWriter);
    const { stats, events } = watch(pool, {
      tables: ["a"],
      threshold: 100,
      intervalMs: 0,
    });
    await insert(admin, "a", 300);
    await stats.wrote();
    expect(events).toEqual([]);
    expect(await analyzed(admin, "a")).toBe(0);
  });

  it("logs a failed check and pauses the next one", async () => {
    const { url } = await fresh();
    const gone = new URL(url);
    gone.pathname = `/no_such_database_${process.pid}`;
    const pool = poolAt(gone);
    const { stats, events } = watch(pool, {
      tables: ["a"],
      intervalMs: 0,
      failurePauseMs: 60_000,
    });
    await stats.wrote();
    expect(events).toEqual([
      expect.objectContaining({ event: "store_statistics_failed", retryInMs: 60_000 }),
    ]);
    expect(stats.wrote(), "paused after the failure").toBeUndefined();
  });

  describe("through the store", () => {
    const stores = storeFactory("postgres", server);

    /** A migrated store on a fresh database, fenced at 1, with autovacuum off for its entities. */
    const freshStore = async () => {
      const { store, config } = await stores.fresh();
      const admin = new Client({ connectionString: (config as { url: string }).url });
      await admin.connect();
      closing.push({ close: () => admin.end() });
      await admin.query("ALTER TABLE atlas_entities SET (autovacuum_enabled = off)");
      await store.fence(1);
      let offset = 0;
      /** Applies 500 hook messages (one hive_db each) in one batch. */
      const applyBatch = () =>
        store.applyHooks(
          1,
          Array.from({ length: 500 }, () => {
            const i = offset++;
            return {
              position: { topic: "ATLAS_HOOK", partition: 0, offset: String(i) },
              changes: [
                {
                  kind: "createOrUpdate" as const,
                  entities: { entities: [hiveDb(`db${i}`)], referredEntities: {} },
                },
              ],
              user: "hive",
            };
          }),
        );
      return { store, admin, applyBatch, written: () => offset };
    };

    /**
     * The entity rows PostgreSQL reads for the lookup every entity write starts with
     * (SqlTx.prefetchUnique), of 16 names of which one exists.
     */
    const lookupRowsRead = async (admin: pg.Client): Promise<number> => {
      const { text, values } = postgresStatement("selectActiveByUniques", {
        types: JSON.stringify(["hive_db"]),
        qualifiedNames: JSON.stringify([
          "db7@cl1",
          ...Array.from({ length: 15 }, (_, i) => `missing${i}@cl1`),
        ]),
      });
      return entityRowsRead(admin, text, values);
    };

    it("a fresh entity table is analyzed while hooks are applied, and the lookups of a write then probe an index", async () => {
      const { admin, applyBatch, written } = await freshStore();
      await waitFor(
        async () => {
          await applyBatch();
          return (await analyzed(admin, "atlas_entities")) >= 1;
        },
        { timeoutMs: 60_000, intervalMs: 0, what: "the entity table analyzed" },
      );
      expect(written(), "entities written").toBeGreaterThan(1_000);
      expect(await lookupRowsRead(admin)).toBeLessThanOrEqual(16);
    });

    it("with statistics of a small table, the lookup still probes an index rather than reading the table", async () => {
      // As `IN (SELECT json_array_elements_text(…))` the planner counts 100 names and reads
      // all 2,000 rows here; as `= ANY(ARRAY(…))` it probes the index.
      const { admin, applyBatch } = await freshStore();
      for (let i = 0; i < 4; i++) await applyBatch();
      await admin.query("ANALYZE atlas_entities");
      expect(await lookupRowsRead(admin)).toBeLessThanOrEqual(16);
    });
  });
});
