/**
 * SQLite shared by several server processes on one host (docs/contracts/components.md): a second Node process runs
 * the real store (bundled from src/ for it) on the same file as this test's store.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import type { MetadataStore } from "../../src/store/types.js";
import { bundleStore, type StoreBundle } from "../support/store-bundle.js";
import { hiveDb } from "./helpers.js";

// The holder process below resolves better-sqlite3 from the package's node_modules.
const packageDir = fileURLToPath(new URL("../..", import.meta.url));
let bundle: StoreBundle;
let dataDir: string;

/** Another process with its own store on `path`; it runs `[method, ...args]` commands sent as JSON lines. */
class StoreProcess {
  readonly #child: ChildProcessByStdio<Writable, Readable, null>;
  readonly #replies: AsyncIterator<string>;

  constructor(path: string) {
    const script = `
      import { createStore } from ${JSON.stringify(bundle.file)};
      import { createInterface } from "node:readline";
      const store = createStore({ backend: "sqlite", path: ${JSON.stringify(path)} });
      for await (const line of createInterface({ input: process.stdin })) {
        let [method, ...args] = JSON.parse(line);
        // "@timed": say when the call begins ({waiting}), and stamp the reply with when it ended.
        const timed = method === "@timed";
        if (timed) {
          [method, ...args] = args;
          process.stdout.write(JSON.stringify({ waiting: Date.now() }) + "\\n");
        }
        const stamp = () => (timed ? { at: Date.now() } : {});
        try {
          const value = await store[method](...args);
          process.stdout.write(JSON.stringify({ ok: true, value: value ?? null, ...stamp() }) + "\\n");
        } catch (error) {
          process.stdout.write(JSON.stringify({ ok: false, error: { name: error.name, code: error.code, message: error.message }, ...stamp() }) + "\\n");
        }
      }
      await store.close();
    `;
    this.#child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.#replies = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  async call(
    method: keyof MetadataStore,
    ...args: unknown[]
  ): Promise<{ ok: boolean; value?: unknown; error?: { name: string; code: string } }> {
    this.#child.stdin.write(`${JSON.stringify([method, ...args])}\n`);
    const reply = await this.#replies.next();
    if (reply.done) throw new Error("the store process exited");
    return JSON.parse(reply.value);
  }

  /**
   * Starts a call and returns once the process says it is making it (`waiting`: its wall-clock
   * ms); `reply` gives the outcome, stamped with when the call ended (`at`).
   */
  async begin(
    method: keyof MetadataStore,
    ...args: unknown[]
  ): Promise<{
    waiting: number;
    reply: Promise<{ ok: boolean; at: number; error?: { name: string; code: string } }>;
  }> {
    this.#child.stdin.write(`${JSON.stringify(["@timed", method, ...args])}\n`);
    const first = await this.#replies.next();
    if (first.done) throw new Error("the store process exited");
    const { waiting } = JSON.parse(first.value) as { waiting: number };
    const reply = this.#replies.next().then((r) => {
      if (r.done) throw new Error("the store process exited");
      return JSON.parse(r.value);
    });
    return { waiting, reply };
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.#child.once("exit", r));
    this.#child.stdin.end();
    await exited;
  }
}

beforeAll(async () => {
  bundle = await bundleStore();
  dataDir = mkdtempSync(join(tmpdir(), "atlas-store-procs-"));
}, 60_000);

afterAll(() => {
  bundle?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a SQLite file shared by two server processes", () => {
  let store: MetadataStore;
  let other: StoreProcess;

  beforeAll(async () => {
    const path = join(dataDir, "shared", "atlas.db");
    store = createStore({ backend: "sqlite", path });
    other = new StoreProcess(path);
    // Both migrate at once: one applies, the other waits for the file lock and finds it done.
    const [mine, theirs] = await Promise.all([store.migrate(), other.call("migrate")]);
    expect(mine).toBeUndefined();
    expect(theirs.ok).toBe(true);
  });

  afterAll(async () => {
    await other?.close();
    await store?.close();
  });

  it("each process sees the other's writes", async () => {
    const created = await store.createOrUpdate(
      1,
      { entities: [hiveDb("from_test")], referredEntities: {} },
      "alice",
    );
    const seen = await other.call("getByGuid", created.guidAssignments["-1"]);
    expect(seen).toMatchObject({
      ok: true,
      value: { entity: { attributes: { name: "from_test" } } },
    });
    const theirs = await other.call(
      "createOrUpdate",
      1,
      { entities: [hiveDb("from_process")], referredEntities: {} },
      "bob",
    );
    expect(theirs.ok).toBe(true);
    expect(
      (await store.getByUniqueAttribute("hive_db", "from_process@cl1"))?.entity.createdBy,
    ).toBe("bob");
  });

  it("after the other process fences a newer epoch, this one's writes are refused", async () => {
    await store.fence(5);
    await store.createOrUpdate(
      5,
      { entities: [hiveDb("before_failover")], referredEntities: {} },
      "alice",
    );
    expect(await other.call("fence", 6)).toMatchObject({ ok: true });
    await expect(
      store.createOrUpdate(
        5,
        { entities: [hiveDb("after_failover")], referredEntities: {} },
        "alice",
      ),
    ).rejects.toMatchObject({
      code: "STORE_FENCED",
      highestEpoch: 6,
    });
    expect(await other.call("getByUniqueAttribute", "hive_db", "after_failover@cl1")).toEqual({
      ok: true,
      value: null,
    });
    expect(await other.call("fence", 5)).toMatchObject({
      ok: false,
      error: { name: "StoreFencedError", code: "STORE_FENCED" },
    });
    expect(await store.highestEpoch()).toBe(6);
  });
});

describe("a SQLite write that waits for another process's write lock", () => {
  it("waits until that process commits, and is refused when it fenced a newer epoch meanwhile", async () => {
    const path = join(dataDir, "race", "atlas.db");
    const store = createStore({ backend: "sqlite", path });
    await store.migrate();
    await store.fence(5);
    // One process takes the write lock and raises the epoch, uncommitted until told; it says
    // when it committed.
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
        import Database from "better-sqlite3";
        import { createInterface } from "node:readline";
        const db = new Database(${JSON.stringify(path)}, { timeout: 10000 });
        db.exec("BEGIN IMMEDIATE");
        db.prepare("UPDATE atlas_meta SET highest_epoch = 6, write_seq = write_seq + 1 WHERE id = 1").run();
        process.stdout.write("locked\\n");
        for await (const _ of createInterface({ input: process.stdin })) { db.exec("COMMIT"); break; }
        process.stdout.write("committed " + Date.now() + "\\n");
        db.close();
      `,
      ],
      { cwd: packageDir, stdio: ["pipe", "pipe", "inherit"] },
    );
    // Another process, with the real store, writes with the old epoch meanwhile. Its BEGIN
    // IMMEDIATE waits for the lock in SQLite's busy handler (its whole process is blocked there).
    const writer = new StoreProcess(path);
    try {
      const lines = createInterface({ input: holder.stdout })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe("locked");
      const write = await writer.begin(
        "createOrUpdate",
        5,
        { entities: [hiveDb("stale")], referredEntities: {} },
        "alice",
      );
      // The writer has begun while the lock is held; only now is the lock released.
      holder.stdin.write("commit\n");
      const committed = /^committed (\d+)$/.exec(String((await lines.next()).value));
      expect(committed).not.toBeNull();
      const committedAt = Number(committed![1]);
      const reply = await write.reply;
      // It waited: it began before the commit and ended only after it, and then its fence check
      // saw the epoch the other process committed (a write that had not waited for the lock
      // would have seen epoch 5, or failed with SQLITE_BUSY).
      expect(write.waiting).toBeLessThanOrEqual(committedAt);
      expect(reply.at).toBeGreaterThanOrEqual(committedAt);
      expect(reply).toMatchObject({
        ok: false,
        error: { name: "StoreFencedError", code: "STORE_FENCED" },
      });
      expect(await store.getByUniqueAttribute("hive_db", "stale@cl1")).toBeNull();
      expect(await store.highestEpoch()).toBe(6);
    } finally {
      holder.stdin.end();
      await new Promise((r) => (holder.exitCode === null ? holder.once("exit", r) : r(undefined)));
      await writer.close();
      await store.close();
    }
  });
});
