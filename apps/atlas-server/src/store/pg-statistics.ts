/**
 * PostgreSQL's planner statistics of the store's entity and relationship tables, kept current
 * by the instance that writes them.
 *
 * The planner needs row counts and value statistics to choose how to look rows up. Until a
 * table has been analyzed it guesses, and for the store's lookups by a list of keys (`…
 * WHERE qualified_name IN (SELECT json_array_elements_text(…))`, the lookups of every write)
 * the guess is a scan of a whole index: the cost of each write grows with the table. Measured on
 * a fresh database, 16 concurrent creates: 2,900 per s at 5,000 entities, 800 per s at
 * 30,000; analyzed, ~4,900 per s at any size. autovacuum analyzes a table only after its
 * `autovacuum_naptime` (a minute by default) and 10% of changes, so a fresh store — the first
 * import of a Hive warehouse through the hooks — runs minutes on guesses.
 *
 * So after a write, at most once per `intervalMs` (and once more after the last write of a
 * burst), one query reads how many rows of each table changed since its last analysis
 * (`pg_stat_user_tables.n_mod_since_analyze`, whoever ran it: autovacuum or us), and a table
 * past autovacuum's own rule (`threshold` + `scaleFactor` × its rows) is analyzed at once.
 * ANALYZE reads a bounded sample (300 × the statistics target rows) and takes a lock that
 * writes do not wait for; it waits at most `lockWaitMs` for one that another ANALYZE or a
 * VACUUM holds, else it is left to the next check. Only tables this role may analyze (its own)
 * are considered. Nothing here is a write of the store: it needs no fencing, and an instance
 * that does not write (a passive) never runs it.
 *
 * A bulk load past the rule at every 10% of growth would call for an analysis of a large
 * table every few seconds (measured: ~200 ms each at 20,000–35,000 entities, 4 in a load of
 * 50,000 hook messages). So once a table was analyzed in `t` ms, it is not analyzed again for
 * `t × (1 / maxShare − 1)` ms: its analyses take at most `maxShare` of the database's time
 * (autovacuum, or the next check after that, takes what is left over).
 */
import type pg from "pg";
import type { StoreLogger } from "./types.js";

/** The tables the store reads by lists of keys, in joins the planner must size. */
export const ANALYZED_TABLES = ["atlas_entities", "atlas_relationships", "atlas_propagations"];

export interface PlannerStatisticsOptions {
  /** The least time between two checks. Default 2,000 ms. */
  intervalMs?: number;
  /** Changed rows that always call for an analysis. Default 1,000. */
  threshold?: number;
  /** Plus this share of the table's rows at its last analysis. Default 0.1 (autovacuum's). */
  scaleFactor?: number;
  /** How long ANALYZE waits for its lock. Default 50 ms. */
  lockWaitMs?: number;
  /** After a failed check (not a lock wait), the next waits this long. Default 60,000 ms. */
  failurePauseMs?: number;
  /** The most of the time one table's analyses may take (0 < share ≤ 1). Default 0.05. */
  maxShare?: number;
  tables?: readonly string[];
}

/** `name`: the table as its regclass prints it (quoted, schema-qualified when needed), for ANALYZE. */
const CHANGED_SINCE_ANALYZE = `SELECT s.relid::regclass::text AS name, s.n_mod_since_analyze AS changed,
  GREATEST(c.reltuples, 0) AS rows
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE s.relid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
    AND pg_has_role(c.relowner, 'USAGE')`;

export class PlannerStatistics {
  readonly #pool: pg.Pool;
  readonly #logger: StoreLogger;
  readonly #intervalMs: number;
  readonly #threshold: number;
  readonly #scaleFactor: number;
  readonly #lockWaitMs: number;
  readonly #failurePauseMs: number;
  readonly #tables: readonly string[];
  readonly #maxShare: number;
  /** performance.now() before which no check starts. */
  #notBefore = 0;
  /** Per table: performance.now() before which it is not analyzed again (maxShare). */
  readonly #tableNotBefore = new Map<string, number>();
  #running: Promise<void> | undefined;
  #trailing: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: pg.Pool, logger: StoreLogger, options: PlannerStatisticsOptions = {}) {
    this.#pool = pool;
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#threshold = options.threshold ?? 1_000;
    this.#scaleFactor = options.scaleFactor ?? 0.1;
    this.#lockWaitMs = options.lockWaitMs ?? 50;
    this.#failurePauseMs = options.failurePauseMs ?? 60_000;
    this.#tables = options.tables ?? ANALYZED_TABLES;
    this.#maxShare = options.maxShare ?? 0.05;
    if (!(this.#maxShare > 0 && this.#maxShare <= 1))
      throw new RangeError(`maxShare must be in (0, 1], not ${this.#maxShare}`);
  }

  /**
   * After a committed write: starts a check when one is due, never waits for it. Returns the
   * check it started (tests wait for it), if any.
   */
  wrote(): Promise<void> | undefined {
    if (this.#closed || this.#running || this.#trailing) return undefined;
    const wait = this.#notBefore - performance.now();
    if (wait > 0) {
      // The check after the burst's last write: what it wrote is counted too.
      this.#trailing = setTimeout(() => {
        this.#trailing = undefined;
        void this.wrote();
      }, wait);
      this.#trailing.unref();
      return undefined;
    }
    this.#running = this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Waits for a running check; starts no other. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#trailing);
    this.#trailing = undefined;
    await this.#running;
  }

  async #check(): Promise<void> {
    this.#notBefore = performance.now() + this.#intervalMs;
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await this.#pool.connect();
      const { rows } = await client.query<{ name: string; changed: string; rows: number }>(
        CHANGED_SINCE_ANALYZE,
        [this.#tables],
      );
      for (const table of rows) {
        const changed = Number(table.changed);
        if (changed < this.#threshold + this.#scaleFactor * Number(table.rows)) continue;
        if (this.#closed) return;
        const wait = (this.#tableNotBefore.get(table.name) ?? 0) - performance.now();
        if (wait > 0) {
          this.#logger.debug({
            event: "store_statistics_deferred",
            table: table.name,
            changedRows: changed,
            forMs: Math.round(wait),
          });
          continue;
        }
        await this.#analyze(client, table.name, changed, Number(table.rows));
      }
    } catch (error) {
      broken = error as Error;
      this.#notBefore = performance.now() + this.#failurePauseMs;
      this.#logger.warn({
        event: "store_statistics_failed",
        error: (error as Error).message,
        retryInMs: this.#failurePauseMs,
      });
    } finally {
      client?.release(broken);
    }
  }

  async #analyze(client: pg.PoolClient, table: string, changed: number, rows: number) {
    const started = performance.now();
    await client.query("BEGIN");
    try {
      await client.query(`SET LOCAL lock_timeout = ${this.#lockWaitMs}`);
      await client.query(`ANALYZE ${table}`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      // 55P03 lock_not_available: another ANALYZE or a VACUUM has the table; the next check.
      if ((error as { code?: string }).code === "55P03") {
        this.#logger.debug({ event: "store_statistics_busy", table });
        return;
      }
      throw error;
    }
    const finished = performance.now();
    const took = finished - started;
    this.#tableNotBefore.set(table, finished + took * (1 / this.#maxShare - 1));
    this.#logger.debug({
      event: "store_statistics_refreshed",
      table,
      changedRows: changed,
      rowsBefore: Math.round(rows),
      tookMs: Math.round(took),
    });
  }
}
