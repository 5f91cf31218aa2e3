/**
 * The fence on the way to ACTIVE does not wait for an fsync of SQLite's WAL (store/core.ts
 * fence): every process sees the commit at once, and the first durable write of the new term
 * syncs the WAL, the fence with it. Here the WAL's fsync is held back: the fence still
 * resolves, an older epoch is still refused, and a durable write waits for the fsync.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { hiveDb, storeFactory } from "./helpers.js";

const gate = vi.hoisted(() => {
  let release: (() => void) | undefined;
  let held: Promise<void> = Promise.resolve();
  return {
    syncs: 0,
    hold() {
      held = new Promise<void>((resolve) => (release = resolve));
    },
    release() {
      release?.();
    },
    wait: () => held,
  };
});

vi.mock("node:fs/promises", async (original) => {
  const { withFsyncHooks } = await import("./fsync-hooks.js");
  return withFsyncHooks(await original(), {
    sync: async (_path, sync) => {
      gate.syncs += 1;
      await gate.wait();
      return sync();
    },
  });
});

const noPostgres = () => {
  throw new Error("this suite runs on SQLite only");
};

describe("the SQLite store's fence", () => {
  const stores = storeFactory("sqlite", noPostgres);
  beforeEach(() => gate.release());

  it("resolves without waiting for the WAL's fsync; the next durable write waits for it and makes both durable", async () => {
    const { store, config } = await stores.fresh();
    await store.fence(1);
    gate.hold();
    const syncsBefore = gate.syncs;
    const fenced = await Promise.race([
      store.fence(2).then(() => "fenced"),
      new Promise((resolve) => setTimeout(resolve, 5_000, "still waiting")),
    ]);
    expect(fenced).toBe("fenced");
    // Fenced for everyone at once: a write of the old term is refused, durable or not.
    await expect(
      store.createOrUpdate(1, { entities: [hiveDb("old")], referredEntities: {} }, "bob"),
    ).rejects.toMatchObject({ code: "STORE_FENCED" });
    let written = false;
    const write = store
      .createOrUpdate(2, { entities: [hiveDb("new")], referredEntities: {} }, "bob")
      .then(() => (written = true));
    await vi.waitFor(() => expect(gate.syncs).toBeGreaterThan(syncsBefore), { timeout: 5_000 });
    expect(written).toBe(false);
    gate.release();
    await write;
    await store.close();
    const again = stores.open(config);
    expect(await again.highestEpoch()).toBe(2);
    expect((await again.getByUniqueAttribute("hive_db", "new@cl1"))?.entity.guid).toEqual(
      expect.any(String),
    );
  });
});
