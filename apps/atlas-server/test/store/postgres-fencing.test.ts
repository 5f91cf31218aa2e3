/**
 * PostgreSQL (real server from the testkit): the fence check is part of the write's own
 * transaction, so a former active whose write waits behind a new active's fence is refused.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { waitFor } from "@atlas-ha/testkit";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import { hiveDb } from "./helpers.js";

describe("PostgreSQL fencing inside the write transaction", () => {
  const server = usePostgres();

  it("a write that waits on the fence row while a newer epoch is committed is refused", async () => {
    const url = await server().createDatabase("fence_race");
    const setup = createStore({ backend: "postgres", url });
    try {
      await setup.migrate();
      await setup.fence(5);
    } finally {
      await setup.close();
    }
    const fencer = new pg.Client({ connectionString: url });
    // Watches from outside the fence's transaction: PostgreSQL lists the sessions of
    // pg_stat_activity once per transaction, so polls inside it never see a session that
    // connected after the first poll (a loaded CI run: the old active's write on a new pool
    // connection, its pool's other one busy, was never seen and the wait timed out).
    const watcher = new pg.Client({ connectionString: url });
    const lockWaits = async () =>
      (
        await watcher.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
      ).rows[0]!.n;
    // The old active, connecting only after the first poll.
    let store: ReturnType<typeof createStore> | undefined;
    try {
      await fencer.connect();
      await watcher.connect();
      // The new active's fence, held open: the old active's write must queue behind it.
      await fencer.query("BEGIN");
      await fencer.query(
        "UPDATE atlas_meta SET highest_epoch = 6, write_seq = write_seq + 1 WHERE id = 1",
      );
      expect(await lockWaits(), "nothing waits before the write").toBe(0);
      store = createStore({ backend: "postgres", url });
      const write = store.createOrUpdate(
        5,
        { entities: [hiveDb("stale")], referredEntities: {} },
        "alice",
      );
      write.catch(() => undefined);
      await waitFor(async () => (await lockWaits()) > 0, {
        timeoutMs: 10_000,
        what: "the old active's write to wait on the fence row",
      });
      await fencer.query("COMMIT");
      await expect(write).rejects.toMatchObject({
        code: "STORE_FENCED",
        epoch: 5,
        highestEpoch: 6,
      });
      expect(await store.getByUniqueAttribute("hive_db", "stale@cl1")).toBeNull();
      expect(await store.highestEpoch()).toBe(6);
    } finally {
      await fencer.end().catch(() => undefined);
      await watcher.end().catch(() => undefined);
      await store?.close();
    }
  });

  it("readiness: ping answers false while the database is paused and true once it resumes", async () => {
    const store = createStore({
      backend: "postgres",
      url: await server().createDatabase("ping_db"),
    });
    try {
      await store.migrate();
      expect(await store.ping()).toBe(true);
      server().pause();
      try {
        expect(await store.ping()).toBe(false);
      } finally {
        server().resume();
      }
      await waitFor(() => store.ping(), { timeoutMs: 10_000, what: "ping to answer true again" });
    } finally {
      await store.close();
    }
  });
});
