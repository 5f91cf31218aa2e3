/**
 * PostgreSQL backend (pg Pool): its dialect (the SQL is in schema.ts) and its transactions. Instances on several
 * hosts share one database. Writes run in READ COMMITTED and start by updating the single
 * meta row (claimWrite): that row lock serializes writers, and a fence() that commits while a
 * writer waits makes the writer's re-checked `highest_epoch <= epoch` false — so no write
 * of an older epoch commits after a newer epoch was fenced. Migrations hold an advisory lock.
 */
import type { Socket } from "node:net";
import pg from "pg";
import { StoreBusyError, StoreUnavailableError } from "./errors.js";
import { PlannerStatistics, type PlannerStatisticsOptions } from "./pg-statistics.js";
import type { StoreLogger } from "./types.js";
import { migrations, statements, type Dialect } from "./schema.js";
import {
  ONE_ROW_INSERT,
  oneRowInsertParts,
  positionalParameters,
  type SqlBackend,
  type SqlParams,
  type SqlRow,
  type SqlRunner,
  type WriteOptions,
} from "./sql.js";

const { Pool } = pg;

/** pg_advisory_xact_lock key of migrations ("atlas-ha" in ASCII, folded to a bigint). */
const MIGRATION_LOCK = 0x61746c6173_6861n.toString();

/** PostgreSQL: JSON columns, BIGINT, and typed parameters where it cannot infer one. */
export const POSTGRES_DIALECT: Dialect = {
  bigint: "BIGINT",
  json: "JSON",
  greatest: "GREATEST",
  param: (name, type) => `@${name}::${type}`,
  inList: (column, name) =>
    `${column} = ANY(ARRAY(SELECT json_array_elements_text(@${name}::json)))`,
  bytewise: ' COLLATE "C"',
};

/** SQLSTATEs and socket errors that say the database is out of reach, not that the write is wrong. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "25P03"]);
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/;

/** The error as StoreUnavailableError when it says the database is out of reach; else as it is. */
function unavailable(error: unknown): unknown {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return error;
  const code = typeof e.code === "string" ? e.code : "";
  const message = typeof e.message === "string" ? e.message : "";
  if (
    code.startsWith("08") ||
    UNAVAILABLE_SQLSTATES.has(code) ||
    UNAVAILABLE_ERRNOS.has(code) ||
    UNAVAILABLE_MESSAGES.test(message)
  ) {
    return new StoreUnavailableError(`${message}${code ? ` (${code})` : ""}`, error);
  }
  return error;
}

/** PostgreSQL's cap on the parameters of one statement. */
const MAX_PARAMETERS = 65_535;
/**
 * Gathered rows that are written at once, without waiting for the end of the event loop's
 * turn: a batch of hook messages (or a group of REST writes) is prepared in one stretch of
 * up to 20 ms (core.ts), and its rows would otherwise reach the server only at the commit,
 * which then waits for all of them while this process waits too. Written as they come, they
 * are inserted while the next ones are prepared (docs/decisions.md, "PostgreSQL: rows leave
 * as they come"). About 48 hook messages: fewer rows meant more statements and more CPU per
 * message, more rows less overlap (measured: 96, 192, 384).
 */
export const EARLY_WRITE_ROWS = 192;

/**
 * A one-row INSERT (positional text) as its head (`INSERT INTO t (…) VALUES `) and its row of
 * values cut at its parameters: `pieces[i]` is the text before parameter `numbers[i]`, the
 * last piece the text after the last one. Computed once per statement text.
 */
interface MultiRow {
  head: string;
  pieces: string[];
  numbers: number[];
  /** The parameters of one row: the next row's are renumbered from this on. */
  perRow: number;
}

function multiRow(text: string): MultiRow {
  const { head, row } = oneRowInsertParts(text);
  const pieces: string[] = [];
  const numbers: number[] = [];
  let from = 0;
  for (const match of row.matchAll(/\$(\d+)/g)) {
    pieces.push(row.slice(from, match.index));
    numbers.push(Number(match[1]));
    from = match.index + match[0].length;
  }
  pieces.push(row.slice(from));
  return { head, pieces, numbers, perRow: numbers.length === 0 ? 0 : Math.max(...numbers) };
}

/** The multi-row INSERT of `rows` rows: the row of values renumbered for each. */
function multiRowText({ head, pieces, numbers, perRow }: MultiRow, rows: number): string {
  let text = head;
  for (let r = 0; r < rows; r++) {
    if (r > 0) text += ", ";
    const offset = r * perRow;
    for (let i = 0; i < numbers.length; i++) text += `${pieces[i]}$${numbers[i]! + offset}`;
    text += pieces[numbers.length];
  }
  return text;
}

/**
 * A statement as pg takes it, once per statement text: `@name` parameters → pg's `$n`, and
 * for a one-row INSERT (ONE_ROW_INSERT, sent ones are gathered), its multi-row form.
 */
interface Prepared {
  text: string;
  names: string[];
  /** Set when the statement is an INSERT whose sent rows are gathered. */
  gathered?: MultiRow;
}

function positional(sql: string): Prepared {
  // One $n per name, however often it is used.
  const { text, names } = positionalParameters(sql, (index) => `$${index + 1}`, true);
  return ONE_ROW_INSERT.test(sql) ? { text, names, gathered: multiRow(text) } : { text, names };
}

export interface PostgresBackendOptions {
  url: string;
  poolSize?: number;
  queryTimeoutMs?: number;
  /**
   * A connection of ours that sits idle inside a transaction this long is ended by the server,
   * which frees the locks it holds: an instance that lost power or was frozen in the middle
   * of a write must not block the next active's fence for hours (until TCP gives up). The
   * server also probes our connections with TCP keepalives on the same scale. Default 5000.
   */
  idleTransactionTimeoutMs?: number;
  /** How the planner statistics of the big tables are kept current (pg-statistics.ts). */
  statistics?: PlannerStatisticsOptions;
  logger: StoreLogger;
}

export class PostgresBackend implements SqlBackend {
  readonly kind = "postgres" as const;
  readonly sql = statements(POSTGRES_DIALECT);
  readonly migrations = migrations(POSTGRES_DIALECT);
  readonly #pool: pg.Pool;
  readonly #statements = new Map<string, Prepared>();
  readonly #statistics: PlannerStatistics;

  constructor(options: PostgresBackendOptions) {
    const idle = options.idleTransactionTimeoutMs ?? 5_000;
    this.#pool = new Pool({
      connectionString: options.url,
      // Statements are written without waiting for the answer to the one before (pg's
      // pipeline mode), so a transaction's writes whose answers nobody reads (`send`) cost no
      // round trip of their own.
      pipeline: true,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: idle,
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      // Server-side keepalives and a TCP user timeout on each of our sessions: a peer that
      // vanished (power loss, partition) is noticed by the server within about `idle` too.
      options: [
        `-c tcp_keepalives_idle=${Math.max(1, Math.floor(idle / 3000))}`,
        "-c tcp_keepalives_interval=1",
        "-c tcp_keepalives_count=3",
        `-c tcp_user_timeout=${idle}`,
      ].join(" "),
    });
    // An idle client whose server went away emits here; without a listener it would crash the
    // process. The next query gets a fresh connection.
    this.#pool.on("error", (error) =>
      options.logger.warn({ event: "store_pg_idle_client_error", error: error.message }),
    );
    // A client in use emits on itself, not on the pool: e.g. the server ended our session
    // for idling inside a transaction while this process was frozen (SIGSTOP, a stalled event
    // loop). Unheard, that error event would crash the process on waking; the query in hand
    // fails anyway (StoreUnavailableError) and the broken client is dropped on release.
    this.#pool.on("connect", (client) =>
      client.on("error", (error) =>
        options.logger.warn({ event: "store_pg_client_error", error: error.message }),
      ),
    );
    this.#statistics = new PlannerStatistics(this.#pool, options.logger, options.statistics);
  }

  /**
   * A transaction's runner. `send` does not wait: its statement travels behind the ones before
   * it (pg's pipeline mode), and each statement that waits for its answer (`all`, `run`) first
   * collects the answers of those sent before it — the first error among them is thrown there
   * (the transaction is aborted from that statement on anyway). Sent INSERTs of one statement
   * text are gathered and go as ONE multi-row INSERT right before the next statement of any
   * other kind (so what follows sees them), or as soon as EARLY_WRITE_ROWS rows are gathered,
   * and everything written between two waits leaves in one socket write: a batch of hook
   * messages costs a few round trips and statements, not five per message.
   */
  #runner(client: pg.PoolClient): SqlRunner & { settle(): Promise<void> } {
    let sent: Promise<unknown>[] = [];
    /** INSERT text → the parameter lists of its rows not yet written. */
    const gathered = new Map<string, SqlParams[]>();
    let gatheredRows = 0;
    const stream = (client as unknown as { connection?: { stream?: Partial<Socket> } }).connection
      ?.stream;
    let corked = false;
    const uncork = (): void => {
      if (!corked) return;
      corked = false;
      stream?.uncork?.();
    };
    const cork = (): void => {
      if (corked || !stream?.cork) return;
      stream.cork();
      corked = true;
      // Never past this turn of the event loop: what was sent is on the wire by the next —
      // the rows gathered so far too, so that the server inserts them while this process
      // prepares the transaction's next writes rather than all at the commit, with this
      // process waiting (and sooner for a long transaction: EARLY_WRITE_ROWS).
      setImmediate(() => flush());
    };
    const prepared = (sql: string): Prepared => {
      let statement = this.#statements.get(sql);
      if (!statement) {
        statement = positional(sql);
        this.#statements.set(sql, statement);
      }
      return statement;
    };
    const query = (sql: string, params: SqlParams = {}): Promise<pg.QueryResult> => {
      const statement = prepared(sql);
      return client.query(
        statement.text,
        statement.names.map((n) => params[n] ?? null),
      );
    };
    const pipelined = (answer: Promise<unknown>): void => {
      // Read by the next statement that waits or settle(); never left unhandled meanwhile.
      answer.catch(() => undefined);
      sent.push(answer);
    };
    const writeGathered = (): void => {
      for (const [sql, rows] of gathered) {
        const { names, gathered: multi } = prepared(sql);
        const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, names.length)));
        for (let at = 0; at < rows.length; at += perStatement) {
          const chunk = rows.slice(at, at + perStatement);
          if (chunk.length === 1) {
            pipelined(query(sql, chunk[0]));
            continue;
          }
          const values: (string | number | null)[] = [];
          for (const params of chunk) for (const n of names) values.push(params[n] ?? null);
          pipelined(client.query(multiRowText(multi!, chunk.length), values));
        }
      }
      gathered.clear();
      gatheredRows = 0;
    };
    /** Everything sent so far onto the wire, the gathered rows included; no answer awaited. */
    const flush = (): void => {
      writeGathered();
      uncork();
    };
    const settle = async (): Promise<void> => {
      flush();
      if (sent.length === 0) return;
      const waiting = sent;
      sent = [];
      for (const answer of waiting) await answer;
    };
    const answered = async (sql: string, params?: SqlParams): Promise<pg.QueryResult> => {
      writeGathered();
      // The statement leaves in the same socket write as everything sent before it.
      const result = query(sql, params);
      uncork();
      try {
        await settle();
      } catch (error) {
        result.catch(() => undefined);
        throw error;
      }
      return result;
    };
    return {
      all: async (sql, params) => (await answered(sql, params)).rows as SqlRow[],
      run: async (sql, params) => (await answered(sql, params)).rowCount ?? 0,
      send: async (sql, params = {}) => {
        cork();
        if (prepared(sql).gathered) {
          const rows = gathered.get(sql);
          if (rows) rows.push(params);
          else gathered.set(sql, [params]);
          if (++gatheredRows >= EARLY_WRITE_ROWS) flush();
          return;
        }
        writeGathered();
        pipelined(query(sql, params));
      },
      settle,
    };
  }

  async #transaction<T>(begin: string[], fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    let broken: Error | undefined;
    const runner = this.#runner(client);
    try {
      // BEGIN travels with the transaction's first statement.
      for (const statement of begin) await runner.send(statement);
      const result = await fn(runner);
      await runner.run("COMMIT");
      return result;
    } catch (error) {
      await runner.settle().catch(() => undefined);
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // The connection is unusable (server gone, timeout): drop it rather than pool it.
        broken = rollbackError as Error;
      }
      throw unavailable(error);
    } finally {
      client.release(broken);
    }
  }

  read<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction(["BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"], fn);
  }

  async write<T>(fn: (db: SqlRunner) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const begin = ["BEGIN"];
    if (options.lockWaitMs !== undefined)
      begin.push(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(options.lockWaitMs))}`);
    try {
      const result = await this.#transaction(begin, fn);
      void this.#statistics.wrote();
      return result;
    } catch (error) {
      // 55P03 lock_not_available: lock_timeout expired.
      if ((error as { code?: string }).code === "55P03" && options.lockWaitMs !== undefined)
        throw new StoreBusyError(options.lockWaitMs, error);
      throw error;
    }
  }

  /** Every PostgreSQL commit is durable when it returns (synchronous_commit): nothing to do. */
  async sync(): Promise<void> {}

  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction(["BEGIN", `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`], fn);
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), 2_000);
      });
      const probe = this.#pool.query("SELECT 1 AS ok").then((r) => r.rowCount === 1);
      probe.catch(() => undefined);
      return await Promise.race([probe, timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.#statistics.close();
    await this.#pool.end();
  }
}
