/**
 * The store's core over any SQL backend: its lifecycle (migrate, ping, close), fencing and the
 * epoch rebase, the write log, the typedef cache, and the one fenced write transaction every
 * operation of store.ts runs in. Backends differ only in SQL and transactions (sql.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@atlas-ha/shared";
import { StoreFencedError } from "./errors.js";
import { newTimeOrderedGuid } from "./guid.js";
import { runMigrations } from "./migrations.js";
import {
  SqlTx,
  type SqlBackend,
  type SqlRunner,
  type UniqueLookup,
  type WriteOptions,
} from "./sql.js";
import type { FenceOptions, StoreDeps, StoreLogger, WriteRecord } from "./types.js";
import { TypeRegistry } from "./typesystem.js";

/** The fence's wait for the write lock: one slice, the pause between slices, and the cap without a signal. */
const FENCE_LOCK_SLICE_MS = 1000;
const FENCE_PAUSE_MS = 100;
const FENCE_MAX_WAIT_MS = 60_000;
/** Most entity writes in one group commit (one transaction). */
const GROUP_MAX_WRITES = 64;
/**
 * Longest stretch of a multi-write transaction before the event loop gets a turn. SQLite's
 * statements are synchronous: a batch of 200 hook messages would otherwise hold the loop for
 * its whole length (status answers, ZooKeeper pings); the transaction stays open meanwhile.
 */
const STEPS_YIELD_EVERY_MS = 20;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface QueuedWrite {
  epoch: number;
  step: WriteStep;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new TypeError(`epoch must be a non-negative integer, got ${String(epoch)}`);
  }
}

export abstract class SqlStoreCore {
  readonly backend: "sqlite" | "postgres";
  protected readonly b: SqlBackend;
  protected readonly logger: StoreLogger;
  protected readonly now: () => number;
  protected readonly newGuid: () => string;
  /** Typedefs change rarely; they are reloaded when the version in the meta row moves. */
  #types: { version: number; registry: TypeRegistry } | undefined;
  /** Entity writes waiting for the next group commit, and whether a group is being written. */
  readonly #queued: QueuedWrite[] = [];
  #grouping = false;
  /** The run of #writeGroups that is writing (or about to write) the queued groups. */
  #groupsRun: Promise<void> | undefined;

  constructor(backend: SqlBackend, deps: StoreDeps = {}) {
    this.backend = backend.kind;
    this.b = backend;
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newGuid = deps.newGuid ?? newTimeOrderedGuid;
  }

  async migrate(): Promise<void> {
    const started = this.now();
    const result = await runMigrations(this.b, { now: started, newGuid: this.newGuid });
    this.#types = undefined;
    this.logger.info({
      event: "store_migrated",
      backend: this.backend,
      applied: result.applied,
      seededTypes: result.seeded,
      updatedTypes: result.updated,
      tookMs: this.now() - started,
    });
  }

  ping(): Promise<boolean> {
    return this.b.ping();
  }

  /** After the writes already queued for a group commit (one may be waiting for its turn). */
  async close(): Promise<void> {
    await this.#groupsRun;
    return this.b.close();
  }

  /**
   * The fence waits for the write lock in short slices, never long in one piece: the lock may
   * be held by a transaction a dead or frozen active left open (PostgreSQL ends it after the
   * idle-transaction timeout; on SQLite it lasts as long as that process is frozen), and the
   * new active must stay responsive — heartbeats, status — while it waits.
   */
  async fence(epoch: number, options: FenceOptions = {}): Promise<void> {
    checkEpoch(epoch);
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        // Not durable by itself (SQLite: no wait for a WAL fsync, a few ms on the way to
        // ACTIVE): other processes see a commit at once, durable or not, so the fence holds
        // for them; the WAL is synced in order, so the first durable write of the new term
        // makes the fence durable too; and a fence lost with the host (power loss) was
        // followed by no acknowledged write, while the next election's epoch is higher anyway.
        await this.write(
          epoch,
          "system",
          "FENCE",
          { lockWaitMs: FENCE_LOCK_SLICE_MS, durable: false },
          async () => 0,
        );
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== "STORE_BUSY") throw error;
        const waited = Math.round(performance.now() - started);
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        if (!options.signal && waited >= FENCE_MAX_WAIT_MS) throw error;
        this.logger.warn({
          event: "store_fence_waiting",
          backend: this.backend,
          epoch,
          attempt,
          waitedMs: waited,
        });
        await sleep(FENCE_PAUSE_MS);
      }
    }
    this.logger.info({ event: "store_epoch_fenced", backend: this.backend, epoch });
  }

  async rebaseEpoch(expected: number, user: string): Promise<{ seq: number } | null> {
    checkEpoch(expected);
    const seq = await this.b.write(async (db) => {
      const tx = this.tx(db);
      const claimed = await tx.rebaseEpoch(expected);
      if (claimed === null) return null;
      await tx.insertWrite({
        seq: claimed,
        epoch: 0,
        operation: "EPOCH_REBASE",
        user,
        at: this.now(),
        changed: 0,
      });
      return claimed;
    });
    if (seq === null) return null;
    this.logger.warn({
      event: "store_epoch_rebased",
      backend: this.backend,
      previousEpoch: expected,
      seq,
      user,
    });
    return { seq };
  }

  async highestEpoch(): Promise<number> {
    return this.b.read(async (db) => (await this.tx(db).meta()).highestEpoch);
  }

  sync(): Promise<void> {
    return this.b.sync();
  }

  async writeLog(options: { afterSeq?: number; limit?: number } = {}): Promise<WriteRecord[]> {
    return this.b.read(async (db) =>
      this.tx(db).writes(options.afterSeq ?? 0, options.limit ?? 1000),
    );
  }

  protected tx(db: SqlRunner): SqlTx {
    return new SqlTx(this.b.sql, db);
  }

  protected async registry(tx: SqlTx, version?: number): Promise<TypeRegistry> {
    const current = version ?? (await tx.meta()).typedefsVersion;
    if (this.#types?.version !== current) {
      this.#types = { version: current, registry: new TypeRegistry(await tx.typedefs()) };
    }
    return this.#types.registry;
  }

  /**
   * One fenced write transaction: claim (fence check + seq) first, then `work`, then the
   * write-log row. A fenced claim throws before anything is read or written.
   */
  protected async write(
    epoch: number,
    user: string,
    operation: string,
    options: WriteOptions,
    work: WriteStep["work"],
  ): Promise<void> {
    await this.writeSteps(epoch, options, [{ user, operation, work }]);
  }

  /**
   * An entity write (REST) through the group commit: the writes that arrive while a group is
   * being written go together in the next one — ONE transaction, one claim (fence check and
   * seqs), one commit and one fsync — each answered only once that commit is durable. Each is
   * still a write of its own in the write log. When the group fails for any reason but a
   * fence, nothing of it was written, and each of its writes runs again alone: one bad
   * write fails alone, its neighbours succeed. `work` must not change typedefs (the registry
   * is read once per group) and may run twice (its transaction rolled back in between).
   */
  protected writeGrouped(
    epoch: number,
    user: string,
    operation: string,
    work: WriteStep["work"],
    lookups?: WriteStep["lookups"],
  ): Promise<void> {
    checkEpoch(epoch);
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ epoch, step: { user, operation, work, lookups }, resolve, reject });
      if (!this.#grouping) {
        // The group starts once this turn of the event loop has handled its input: the
        // requests that arrived together (one socket read each) join ONE group rather than
        // the first going alone and the rest waiting for the next.
        this.#grouping = true;
        this.#groupsRun = new Promise<void>((resolve) =>
          setImmediate(() => void this.#writeGroups().finally(resolve)),
        );
      }
    });
  }

  async #writeGroups(): Promise<void> {
    try {
      while (this.#queued.length > 0) {
        const epoch = this.#queued[0]!.epoch;
        let n = 1;
        while (
          n < Math.min(GROUP_MAX_WRITES, this.#queued.length) &&
          this.#queued[n]!.epoch === epoch
        )
          n++;
        const group = this.#queued.splice(0, n);
        // Each write of the group is answered once its fsync is done (SQLite; PostgreSQL's
        // commit is durable: sync() is a no-op). The next group waits for that fsync: the
        // writes that arrive meanwhile could not be answered before the next fsync anyway, and
        // they go as ONE group then rather than each alone as it comes (a commit writes its
        // pages to the WAL: ~150 µs, paid once per group; docs/decisions.md, "Group commit").
        const written = await this.#writeGroup(epoch, group);
        if (written.length === 0) continue;
        try {
          await this.b.sync();
          for (const w of written) w.resolve();
        } catch (error) {
          for (const w of written) w.reject(error);
        }
      }
    } finally {
      this.#grouping = false;
    }
  }

  /** Writes the group (or each of its writes alone); returns the committed ones, rejects the rest. */
  async #writeGroup(epoch: number, group: QueuedWrite[]): Promise<QueuedWrite[]> {
    try {
      await this.writeSteps(
        epoch,
        { durable: false },
        group.map((w) => w.step),
      );
      return group;
    } catch (error) {
      if (group.length === 1 || (error as { code?: string }).code === "STORE_FENCED") {
        for (const w of group) w.reject(error);
        return [];
      }
      this.logger.debug({ event: "store_group_commit_split", writes: group.length });
    }
    const written: QueuedWrite[] = [];
    for (const w of group) {
      try {
        await this.writeSteps(epoch, { durable: false }, [w.step]);
        written.push(w);
      } catch (error) {
        w.reject(error);
      }
    }
    return written;
  }

  /**
   * Several fenced writes in ONE transaction (one BEGIN, one COMMIT: a batch of hook
   * messages). Each step is a write of its own in the write log — its own seq and log row —
   * as if it had its own transaction; a step that throws rolls back every step, and a fenced
   * claim throws before anything is read or written.
   */
  protected async writeSteps(
    epoch: number,
    options: WriteOptions,
    steps: readonly WriteStep[],
  ): Promise<void> {
    checkEpoch(epoch);
    if (steps.length === 0) return;
    await this.b.write(async (db) => {
      const tx = this.tx(db);
      // The fence check and every step's seq in one statement: from it on, the meta row (the
      // write lock on SQLite) is ours until the commit, so no fence() can come between two
      // steps — the check holds for each of them. (Steps must not change typedefs: the
      // registry is read once.)
      const claim = await tx.claimWrite(epoch, steps.length);
      if ("fencedBy" in claim) {
        this.logger.warn({
          event: "store_write_fenced",
          backend: this.backend,
          operation: steps[0]!.operation,
          epoch,
          highestEpoch: claim.fencedBy,
        });
        throw new StoreFencedError(epoch, claim.fencedBy);
      }
      const types = await this.registry(tx, claim.typedefsVersion);
      // PostgreSQL: what the steps will look up by unique attribute, read in one query
      // instead of an awaited round trip each (SqlTx.prefetchUnique).
      if (this.backend === "postgres") {
        const lookups = steps.flatMap((step) => step.lookups?.(types) ?? []);
        if (lookups.length > 0) await tx.prefetchUnique(lookups);
      }
      let turnAt = performance.now();
      for (const [index, { user, operation, work }] of steps.entries()) {
        if (index > 0 && performance.now() - turnAt >= STEPS_YIELD_EVERY_MS) {
          await nextTurn();
          turnAt = performance.now();
        }
        const seq = claim.seq + index;
        const now = this.now();
        const changed = await work(tx, seq, types, now);
        await tx.insertWrite({ seq, epoch, operation, user, at: now, changed });
      }
    }, options);
  }
}

/** One write of `writeSteps`: returns how many entities (or other rows) it changed. */
export interface WriteStep {
  user: string;
  operation: string;
  work: (tx: SqlTx, seq: number, types: TypeRegistry, now: number) => Promise<number>;
  /** The entities `work` will look up by unique attribute, if it can tell (prefetched). */
  lookups?: (types: TypeRegistry) => UniqueLookup[];
}
