/**
 * The SQLite backend's fsync of its WAL (store/sqlite.ts): the file is opened once and kept
 * open between fsyncs (an open and a close per durable write cost more than the fsync's own
 * call), closed with the store, and opened afresh after a failed fsync, whose writes fail.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { hiveDb, storeFactory } from "./helpers.js";

const wal = vi.hoisted(() => ({ opens: 0, syncs: 0, closes: 0, failNext: false }));

vi.mock("node:fs/promises", async (original) => {
  const { withFsyncHooks } = await import("./fsync-hooks.js");
  return withFsyncHooks(await original(), {
    only: (path) => path.endsWith("-wal"),
    opened: () => void (wal.opens += 1),
    sync: async (_path, sync) => {
      wal.syncs += 1;
      if (wal.failNext) {
        wal.failNext = false;
        throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
      }
      return sync();
    },
    close: async (_path, close) => {
      wal.closes += 1;
      return close();
    },
  });
});

const stores = storeFactory("sqlite", () => {
  throw new Error("SQLite only");
});

describe("the SQLite store's WAL fsync", () => {
  beforeEach(() => Object.assign(wal, { opens: 0, syncs: 0, closes: 0, failNext: false }));

  it("opens the WAL once for every durable write, and closes it with the store", async () => {
    const { store } = await stores.fresh();
    await store.fence(1);
    for (let i = 0; i < 5; i++)
      await store.createOrUpdate(1, { entities: [hiveDb(`w${i}`)], referredEntities: {} }, "u");
    expect(wal.syncs).toBeGreaterThanOrEqual(5);
    expect(wal.opens).toBe(1);
    expect(wal.closes).toBe(0);
    await store.close();
    expect(wal.closes).toBe(1);
  });

  it("a failed fsync fails its write, and the next durable write opens the WAL afresh", async () => {
    const { store, config } = await stores.fresh();
    await store.fence(1);
    await store.createOrUpdate(1, { entities: [hiveDb("before")], referredEntities: {} }, "u");
    wal.failNext = true;
    await expect(
      store.createOrUpdate(1, { entities: [hiveDb("failed")], referredEntities: {} }, "u"),
    ).rejects.toMatchObject({ code: "EIO" });
    expect(wal.closes).toBe(1);
    await store.createOrUpdate(1, { entities: [hiveDb("after")], referredEntities: {} }, "u");
    expect(wal.opens).toBe(2);
    await store.close();
    const again = stores.open(config);
    expect(await again.getByUniqueAttribute("hive_db", "after@cl1")).toBeDefined();
  });
});
