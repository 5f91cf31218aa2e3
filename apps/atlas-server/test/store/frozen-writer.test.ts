/**
 * A writer frozen inside its write transaction (an active that lost power, or was SIGSTOPped,
 * halfway through a write) must not keep the next active from fencing the store, nor stall it.
 * The frozen writer is the real store in another Node process, stopped by SIGSTOP right after
 * its fence check took the lock; the new active is the real store in this process.
 * Real servers: PostgreSQL from the testkit; SQLite files.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFrozenWriter, waitFor, type FrozenWriter } from "@atlas-ha/testkit";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import type { StoreConfig } from "../../src/store/types.js";
import { bundleStore, type StoreBundle } from "../support/store-bundle.js";

let bundle: StoreBundle;
let dataDir: string;
const writers: FrozenWriter[] = [];

beforeAll(async () => {
  bundle = await bundleStore();
  dataDir = mkdtempSync(join(tmpdir(), "atlas-frozen-writer-"));
}, 60_000);

afterAll(() => {
  bundle?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const writer of writers.splice(0)) await writer.kill();
});

/** The real store in another process, frozen inside a write with `epoch` (see the testkit). */
async function frozenWriter(config: StoreConfig, epoch: number): Promise<FrozenWriter> {
  const writer = await startFrozenWriter({ storeModule: bundle.file, config, epoch });
  writers.push(writer);
  return writer;
}

/** The longest time the event loop went without running a 10 ms interval, while `work` runs. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe("SQLite: a writer frozen inside BEGIN IMMEDIATE", () => {
  it("the next active's fence waits without blocking its event loop, and goes through once the frozen one is killed", async () => {
    const path = join(dataDir, "sqlite", "atlas.db");
    const store = createStore({ backend: "sqlite", path }, { logger: recorder() });
    try {
      await store.migrate();
      const frozen = await frozenWriter({ backend: "sqlite", path }, 1);
      const { result, stallMs } = await longestStall(async () => {
        const controller = new AbortController();
        const fencing = store.fence(2, { signal: controller.signal });
        fencing.catch(() => undefined);
        // It is waiting (and logging it) while the frozen process holds the lock.
        await waitFor(() => waiting.length > 0, {
          timeoutMs: 5000,
          what: "the fence to wait for the lock",
        });
        const killedAt = performance.now();
        await frozen.kill(); // the operator (or the OOM killer) ends the frozen process
        await fencing;
        return performance.now() - killedAt;
      });
      // Before the fix the fence waited in SQLite's synchronous busy handler: the whole process
      // (ZooKeeper heartbeats, status answers) stood still for up to 10 s.
      expect(stallMs).toBeLessThan(500);
      expect(result).toBeLessThan(3000);
      expect(await store.highestEpoch()).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL: a writer frozen inside its transaction", () => {
  const server = usePostgres();

  it("is ended by the server after the idle-transaction timeout, so the next active's fence goes through", async () => {
    const url = await server().createDatabase("frozen_writer");
    const config: StoreConfig = { backend: "postgres", url, idleTransactionTimeoutMs: 1000 };
    const store = createStore(config);
    const observer = new pg.Client({ connectionString: url });
    try {
      await store.migrate();
      await observer.connect();
      await frozenWriter(config, 1);
      // The frozen writer holds the fence row: idle in its transaction.
      await waitFor(
        async () => {
          const { rows } = await observer.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'",
          );
          return rows[0].n > 0;
        },
        { timeoutMs: 5000, what: "the frozen writer's transaction" },
      );
      const started = performance.now();
      const controller = new AbortController();
      const fencing = store.fence(2, { signal: controller.signal });
      fencing.catch(() => undefined);
      // Before the fix its connection had no idle timeout: the fence waited for the lock until
      // the query timeout (30 s), and then again, for as long as TCP kept the dead peer (hours).
      const outcome = await Promise.race([
        fencing.then(() => "fenced"),
        new Promise((resolve) => setTimeout(() => resolve("still waiting"), 8000)),
      ]);
      controller.abort(new Error("test over"));
      expect(outcome).toBe("fenced");
      expect(performance.now() - started).toBeLessThan(8000);
      expect(await store.highestEpoch()).toBe(2);
    } finally {
      await observer.end().catch(() => undefined);
      await store.close();
    }
  });

  it("a writer whose session the server ended while it was frozen does not crash on waking: its write fails as STORE_UNAVAILABLE", async () => {
    const url = await server().createDatabase("frozen_wakes");
    const config: StoreConfig = { backend: "postgres", url, idleTransactionTimeoutMs: 1000 };
    const store = createStore(config);
    const observer = new pg.Client({ connectionString: url });
    try {
      await store.migrate();
      await observer.connect();
      const writer = await frozenWriter(config, 1);
      const idleInTransaction = async () =>
        (
          await observer.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'",
          )
        ).rows[0].n as number;
      await waitFor(async () => ((await idleInTransaction()) > 0 ? true : undefined), {
        timeoutMs: 5000,
        what: "the frozen writer's transaction",
      });
      await waitFor(async () => ((await idleInTransaction()) === 0 ? true : undefined), {
        timeoutMs: 10_000,
        what: "the server to end the frozen session",
      });
      // Before the fix, the client's 'error' event had no listener: the process crashed.
      expect(await writer.resume()).toEqual({
        outcome: "StoreUnavailableError STORE_UNAVAILABLE",
        exitCode: 0,
      });
    } finally {
      await observer.end().catch(() => undefined);
      await store.close();
    }
  });
});

const waiting: object[] = [];
function recorder() {
  const keep = (entry: object) => {
    if ((entry as { event?: string }).event === "store_fence_waiting") waiting.push(entry);
  };
  return { debug: keep, info: keep, warn: keep, error: keep };
}
