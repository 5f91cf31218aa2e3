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
    const store = createStore({ backend: "postgres", url });
    const fencer = new pg.Client({ connectionString: url });
    try {
      await store.migrate();
      await store.fence(5);
      await fencer.connect();
      // The new active's fence, held open: the old active's write must queue behind it.
      await fencer.query("BEGIN");
      await fencer.query(
        "UPDATE atlas_meta SET highest_epoch = 6, write_seq = write_seq + 1 WHERE id = 1",
      );
      const write = store.createOrUpdate(
        5,
        { entities: [hiveDb("stale")], referredEntities: {} },
        "alice",
      );
      write.catch(() => undefined);
      await waitFor(
        async () => {
          const { rows } = await fencer.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          return rows[0].n > 0;
        },
        { timeoutMs: 10_000, what: "the old active's write to wait on the fence row" },
      );
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
      await store.close();
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
