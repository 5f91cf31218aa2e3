/**
 * The SQLite backend checkpoints its WAL itself (store/sqlite.ts, CHECKPOINT_FRAMES): the
 * WAL's fsync, then the copy into the database file, then the database file's fsync — both
 * fsyncs off the event loop — and no write may rewind the WAL over the copied frames before
 * the second fsync is done, while writes go on meanwhile. The fsyncs are observed (and held)
 * through node:fs/promises; the WAL's rewind through its file's size, which only a write past
 * its end grows.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SqliteBackend } from "../../src/store/sqlite.js";
import type { StoreLogger } from "../../src/store/types.js";

const fsyncs = vi.hoisted(() => ({
  log: [] as { file: "wal" | "db"; dbBytes: number }[],
  dbPath: "",
  /** While set, the database file's fsync waits for it. */
  hold: undefined as Promise<void> | undefined,
  /** While set, the WAL's fsync waits for it. */
  holdWal: undefined as Promise<void> | undefined,
  failNextDb: false,
}));

vi.mock("node:fs/promises", async (original) => {
  const { withFsyncHooks } = await import("./fsync-hooks.js");
  const { statSync: stat } = await import("node:fs");
  const fileOf = (path: string) =>
    path.endsWith("-wal") ? "wal" : path === fsyncs.dbPath ? "db" : undefined;
  return withFsyncHooks(await original(), {
    only: (path) => fileOf(path) !== undefined,
    sync: async (path, sync) => {
      const file = fileOf(path)!;
      fsyncs.log.push({ file, dbBytes: stat(fsyncs.dbPath).size });
      if (file === "wal") await fsyncs.holdWal;
      if (file === "db") {
        await fsyncs.hold;
        if (fsyncs.failNextDb) {
          fsyncs.failNextDb = false;
          throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
        }
      }
      return sync();
    },
  });
});

const ROW = "x".repeat(3000);

describe("the SQLite backend's own WAL checkpoints", () => {
  let dir: string;
  let backend: SqliteBackend | undefined;
  const walBytes = () => statSync(`${fsyncs.dbPath}-wal`).size;
  const until = async (what: string, done: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-ckpt-"));
    Object.assign(fsyncs, {
      log: [],
      dbPath: join(dir, "c.db"),
      hold: undefined,
      failNextDb: false,
    });
  });
  afterEach(async () => {
    fsyncs.hold = undefined;
    fsyncs.holdWal = undefined;
    await backend?.close();
    backend = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (logger?: StoreLogger) => {
    backend = new SqliteBackend({ path: fsyncs.dbPath, checkpointFrames: 40, logger });
    await backend.write((db) => db.run("CREATE TABLE t (v TEXT)"));
    return backend;
  };
  /** A write of ~11 WAL frames, durable (it waits for the WAL's fsync) unless said. */
  const write = (db: SqliteBackend, durable = true) =>
    db.write(
      async (w) => {
        for (let i = 0; i < 10; i++) await w.send("INSERT INTO t (v) VALUES (@v)", { v: ROW });
      },
      { durable },
    );

  it("copies only after the WAL's fsync, fsyncs the database file after the copy, and keeps the WAL bounded", async () => {
    const db = await open();
    const initial = statSync(fsyncs.dbPath).size;
    let releaseWal!: () => void;
    fsyncs.holdWal = new Promise<void>((resolve) => (releaseWal = resolve));
    // Writes that do not wait for the WAL's fsync, past the checkpoint's mark.
    for (let i = 0; i < 6; i++) await write(db, false);
    await until("the checkpoint's WAL fsync", () => fsyncs.log.some((e) => e.file === "wal"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(fsyncs.dbPath).size, "nothing copied before the WAL is on disk").toBe(initial);
    expect(fsyncs.log.some((e) => e.file === "db")).toBe(false);
    releaseWal();
    fsyncs.holdWal = undefined;
    await until("the database file's fsync", () => fsyncs.log.some((e) => e.file === "db"));
    const firstDb = fsyncs.log.find((e) => e.file === "db")!;
    expect(firstDb.dbBytes, "the copy is in the file it fsyncs").toBeGreaterThan(initial);
    // 600 more rows of 3 KB through a WAL rewound near 40 frames of 4 KB.
    for (let i = 0; i < 60; i++) await write(db);
    const rows = await db.read((r) => r.all("SELECT count(*) AS n FROM t"));
    expect(rows).toEqual([{ n: 660 }]);
    expect(walBytes()).toBeLessThan(200 * 4096);
  });

  it("writes go on while the database file's fsync is pending, and none rewinds the WAL before it is done", async () => {
    const db = await open();
    let release!: () => void;
    fsyncs.hold = new Promise<void>((resolve) => (release = resolve));
    for (let i = 0; i < 6; i++) await write(db);
    await until("the held database fsync", () => fsyncs.log.some((e) => e.file === "db"));
    // Copied, not yet on disk: every further write appends past the WAL's end.
    const atCopy = walBytes();
    for (let i = 0; i < 6; i++) await write(db);
    expect(walBytes()).toBeGreaterThan(atCopy);
    const grown = walBytes();
    release();
    fsyncs.hold = undefined;
    // Once it is on disk, the next checkpoint's frames are written from the WAL's start.
    await until(
      "a checkpoint after the release",
      () => fsyncs.log.filter((e) => e.file === "db").length >= 2,
    );
    for (let i = 0; i < 30; i++) await write(db);
    expect(walBytes()).toBeLessThanOrEqual(grown + 60 * 4096);
  });

  it("a failed database fsync is logged, leaves the WAL unrewound, and the next checkpoint retries it", async () => {
    const events: { event?: string }[] = [];
    const record = (o: unknown) => void events.push(o as { event?: string });
    const db = await open({
      debug: record,
      info: record,
      warn: record,
      error: record,
    });
    fsyncs.failNextDb = true;
    for (let i = 0; i < 6; i++) await write(db);
    await until("the failure's warning", () =>
      events.some((e) => e.event === "store_checkpoint_failed"),
    );
    const atFailure = walBytes();
    for (let i = 0; i < 6; i++) await write(db);
    expect(walBytes(), "not rewound over an unsynced copy").toBeGreaterThan(atFailure);
    await until(
      "a database fsync that succeeds",
      () => fsyncs.log.filter((e) => e.file === "db").length >= 2,
    );
    const rows = await db.read((r) => r.all("SELECT count(*) AS n FROM t"));
    expect(rows).toEqual([{ n: 120 }]);
  });
});
