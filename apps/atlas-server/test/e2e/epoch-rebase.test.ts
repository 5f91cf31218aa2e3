/**
 * A store that has seen epochs of a ZooKeeper ensemble that was since replaced (its zxids, and
 * so its epochs, start low again): before, every instance stayed PASSIVE for good with no word
 * why; now each stops with EPOCH_REGRESSION, and `atlas-server epoch rebase` (refused while an
 * instance is ACTIVE) lets the store accept the new ensemble's epochs.
 * Real servers: a standalone ZooKeeper, atlas-server processes (dist/main.js) on SQLite.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { atlasProcess, freePort, httpRequest, waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/index.js";
import { atlasServerBin } from "../support/server-bin.js";

const run = promisify(execFile);

describe("a store whose epochs came from a replaced ZooKeeper ensemble", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let dir: string;
  let storePath: string;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-epoch-rebase-"));
    storePath = join(dir, "atlas.db");
    port = await freePort();
    mkdirSync(join(dir, "atlas-1"));
    const properties = {
      "atlas.server.ids": "id1",
      "atlas.server.address.id1": `127.0.0.1:${port}`,
      "atlas.server.id": "id1",
      "atlas.server.http.port": port,
      "atlas.server.bind.address": "127.0.0.1",
      "atlas.server.ha.enabled": true,
      "atlas.server.ha.zookeeper.connect": zk().connectString,
      "atlas.server.ha.zookeeper.session.timeout.ms": 4000,
      "atlas.store.sqlite.path": storePath,
      "atlas.notification.consumer.disabled": true,
    };
    writeFileSync(
      join(dir, "atlas-1", "atlas-application.properties"),
      Object.entries(properties)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n",
    );
    // The old ensemble had gone through many leader elections: its zxids (epoch << 32 | counter)
    // are far above what a new ensemble starts with.
    const store = createStore({ backend: "sqlite", path: storePath });
    await store.migrate();
    await store.fence(0x50_0000_0001);
    await store.close();
  });

  afterAll(() => {
    if (process.env.ATLAS_HA_KEEP_LOGS !== "1") rmSync(dir, { recursive: true, force: true });
  });

  const rebase = (...args: string[]) =>
    run(process.execPath, [
      atlasServerBin(),
      "epoch",
      "rebase",
      "--config",
      join(dir, "atlas-1"),
      ...args,
    ]).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it("an instance stops with EPOCH_REGRESSION instead of staying PASSIVE for good; the rebase lets it become ACTIVE; a rebase is refused while it is", async () => {
    const instance = atlasProcess("atlas-1", join(dir, "atlas-1"), { serverBin: atlasServerBin() });
    await instance.start();
    // Before the fix it never exited: it stayed PASSIVE, its fence refused over and over.
    const exit = await Promise.race([
      instance.exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
    ]);
    if (exit === null) await instance.kill();
    expect(exit).toMatchObject({ code: 1 });
    const log = readFileSync(instance.logFile, "utf8");
    expect(log).toContain('"code":"EPOCH_REGRESSION"');
    expect(log).toContain("atlas-server epoch rebase");

    const done = await rebase("--json");
    expect(done.code).toBe(0);
    const result = JSON.parse(done.stdout) as { outcome: string; storeEpoch: number; zxid: number };
    expect(result).toMatchObject({ outcome: "rebased", storeEpoch: 0x50_0000_0001 });
    expect(result.zxid).toBeLessThan(result.storeEpoch);
    // A second run finds nothing to do.
    expect(JSON.parse((await rebase("--json")).stdout)).toMatchObject({ outcome: "not_needed" });

    await instance.start();
    try {
      await waitFor(
        async () => {
          const answer = await httpRequest(`http://127.0.0.1:${port}/api/atlas/admin/status`, {
            timeoutMs: 1000,
          }).catch(() => undefined);
          return answer && (JSON.parse(answer.body) as { Status?: string }).Status === "ACTIVE"
            ? true
            : undefined;
        },
        { timeoutMs: 30_000, what: "atlas-1 ACTIVE after the rebase" },
      );
      const refused = await rebase();
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain("refused");
      expect(refused.stdout).toContain("ACTIVE");
    } finally {
      await instance.stop();
    }
    const store = createStore({ backend: "sqlite", path: storePath });
    try {
      const log = await store.writeLog();
      const rebaseAt = log.findIndex((w) => w.operation === "EPOCH_REBASE");
      expect(rebaseAt).toBeGreaterThan(0);
      expect(log[rebaseAt]).toMatchObject({ epoch: 0, changed: 0 });
      expect(log.slice(rebaseAt + 1).every((w) => w.epoch > 0 && w.epoch < 0x50_0000_0001)).toBe(
        true,
      );
    } finally {
      await store.close();
    }
  });
});
