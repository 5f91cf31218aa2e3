import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isListening, isProcessAlive, waitFor } from "@atlas-ha/testkit";
import { LocalCluster, runClusterCli, type ClusterDescription } from "../src/index.js";

const { Kafka, logLevel } = kafkajs;

// Real servers: a standalone ZooKeeper, a Kafka broker (Java) and one atlas-server, started
// DETACHED by a launcher process that exits; this test process then acts on them as the CLI would, through
// runClusterCli and LocalCluster.attach, on free ports in a temp folder (never the fixed ones).
const home = mkdtempSync(join(tmpdir(), "atlas-ha-cluster-detached-"));
const stateDir = join(home, "cluster");
const clusterFile = join(home, "cluster.json");

function capture() {
  let text = "";
  return { stream: { write: (s: string) => (text += s) }, text: () => text };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await runClusterCli(argv, { home, stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

function description(): ClusterDescription {
  return JSON.parse(readFileSync(clusterFile, "utf8")) as ClusterDescription;
}

const seen = new Set<number>();
function remember(d: ClusterDescription): void {
  for (const p of [...d.instances, ...d.zookeeper, d.kafka]) if (p.pid) seen.add(p.pid);
}

afterAll(async () => {
  // Whatever a failed test left behind.
  if (existsSync(join(stateDir, "state.json")))
    await LocalCluster.attach({ stateDir })
      .down()
      .catch(() => undefined);
  for (const pid of seen) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
  }
  if (!process.env.ATLAS_HA_KEEP_LOGS) rmSync(home, { recursive: true, force: true });
});

describe("a detached local cluster", () => {
  beforeAll(async () => {
    const script = `
      import { startLocalCluster } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      await startLocalCluster({ instances: 1, zk: 1, detached: true, stateDir: ${JSON.stringify(stateDir)}, clusterFile: ${JSON.stringify(clusterFile)} });
      process.exit(0);
    `;
    const launcher = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise((resolve) => launcher.once("exit", resolve));
    expect(code).toBe(0);
  }, 180_000);

  it("outlives its launcher and describes itself in cluster.json", async () => {
    const d = description();
    remember(d);
    expect(Object.keys(d).sort()).toEqual([
      "backend",
      "instances",
      "kafka",
      "sessionTimeoutMs",
      "zookeeper",
    ]);
    expect(d.sessionTimeoutMs).toBe(4000);
    expect(d.backend).toBe("sqlite");
    expect(d.zookeeper).toHaveLength(1);
    expect(d.zookeeper[0]!.name).toBe("zk-1");
    expect(d.kafka.name).toBe("kafka");
    expect(d.instances.map((i) => i.name)).toEqual(["atlas-1"]);
    for (const p of [...d.instances, ...d.zookeeper, d.kafka])
      expect(isProcessAlive(p.pid!)).toBe(true);

    const cluster = LocalCluster.attach({ stateDir });
    expect(await cluster.zookeeper.nodes[0]!.mode()).toBe("standalone");
    expect(await cluster.kafka.isServing()).toBe(true);
    // A tick of a tenth of the 4 s session timeout, so ZooKeeper grants it (2–20 ticks).
    const conf = await cluster.zookeeper.nodes[0]!.fourLetterWord("conf");
    expect(conf).toMatch(/^tickTime=400$/m);
    expect(await cluster.instance("atlas-1").status()).toBe("ACTIVE");
  });

  it("refuses a second up while it runs, and says how to stop it", async () => {
    let prepared = false;
    const err = capture();
    const code = await runClusterCli(["up", "--detach"], {
      home,
      stdout: capture().stream,
      stderr: err.stream,
      prepare: () => {
        prepared = true;
      },
    });
    expect(code).toBe(1);
    expect(err.text()).toMatch(/already up .*atlas-1 pid \d+.*zk-1 pid \d+.*down/s);
    expect(prepared).toBe(false);
    expect(existsSync(clusterFile)).toBe(true);
  });

  it("has the hook topic, and produce publishes one value per file and per line of a .jsonl file", async () => {
    const single = join(home, "one.json");
    const lines = join(home, "two.jsonl");
    writeFileSync(
      single,
      '{"version":{"version":"1.0.0"},"message":{"type":"ENTITY_CREATE_V2"}}\n',
    );
    writeFileSync(lines, '{"n":1}\n\n{"n":2}\n');
    const result = await cli("produce", single, lines);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/sent 3 messages to ATLAS_HOOK/);

    const admin = new Kafka({
      brokers: [description().kafka.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets("ATLAS_HOOK");
      expect(offsets).toHaveLength(1);
      expect(offsets[0]!.high).toBe("3");
    } finally {
      await admin.disconnect();
    }
    // A missing file sends nothing.
    const missing = await cli("produce", single, join(home, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*nope\.json/);
  });

  it("kills, starts, pauses and resumes its processes by name, keeping cluster.json's pids current", async () => {
    const atlasPid = description().instances[0]!.pid!;
    expect((await cli("kill", "atlas-1")).out).toMatch(/atlas-1: killed \(SIGKILL, pid \d+\)/);
    expect(isProcessAlive(atlasPid)).toBe(false);
    expect(description().instances[0]!.pid).toBeNull();
    const restarted = await cli("start", "atlas-1");
    expect(restarted.code).toBe(0);
    expect(restarted.out).toMatch(/atlas-1: started \(pid \d+, serving after .* reports [A-Z_]+\)/);
    remember(description());
    expect(description().instances[0]!.pid).not.toBe(atlasPid);
    // Attaching again finds the new process (its pid from cluster.json), and the instance, alone
    // with ZooKeeper up, is the active again.
    const attached = LocalCluster.attach({ stateDir }).instance("atlas-1");
    expect(attached.process.pid).toBe(description().instances[0]!.pid);
    await attached.waitForState("ACTIVE", 30_000);
    expect(await attached.status()).toBe("ACTIVE");

    const before = description();
    const zkPid = before.zookeeper[0]!.pid!;
    expect((await cli("kill", "zk-1")).code).toBe(0);
    expect(isProcessAlive(zkPid)).toBe(false);
    expect(description().zookeeper[0]!.pid).toBeNull();

    const status = await cli("status", "--json");
    const rows = (JSON.parse(status.out) as { processes: { name: string; process: string }[] })
      .processes;
    expect(rows.find((r) => r.name === "zk-1")!.process).toBe("stopped");
    expect(rows.find((r) => r.name === "kafka")!.process).toBe("running");

    const started = await cli("start", "zk-1");
    expect(started.code).toBe(0);
    const newPid = description().zookeeper[0]!.pid!;
    remember(description());
    expect(newPid).not.toBe(zkPid);
    expect(isProcessAlive(newPid)).toBe(true);
    expect(await LocalCluster.attach({ stateDir }).zookeeper.nodes[0]!.mode()).toBe("standalone");
    expect((await cli("start", "zk-1")).err).toMatch(/already running/);

    expect((await cli("pause", "kafka")).code).toBe(0);
    expect((await cli("status")).out).toMatch(/^kafka\s+paused\s+\d+/m);
    expect((await cli("resume", "kafka")).code).toBe(0);
    expect((await cli("status")).out).toMatch(/^kafka\s+running\s+\d+/m);
    expect(await LocalCluster.attach({ stateDir }).kafka.isServing()).toBe(true);

    const unknown = await cli("kill", "atlas-9");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(
      /no process named "atlas-9" in the cluster \(there are: atlas-1, zk-1, kafka\)/,
    );
  });

  it("goes down leaving no process running and no port listening", async () => {
    const cluster = LocalCluster.attach({ stateDir });
    const ports = cluster.members.flatMap((m) => m.ports);
    const pids = cluster.members.map((m) => m.process.pid!);
    const result = await cli("down");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /stopped atlas-1, zk-1, kafka .*nothing is left running or listening/,
    );
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    for (const port of ports) expect(await isListening(port)).toBe(false);
    expect(existsSync(clusterFile)).toBe(false);
    // Logs stay for a post-mortem.
    expect(existsSync(join(stateDir, "kafka", "server.log"))).toBe(true);
    expect((await cli("status")).err).toMatch(/no local cluster is up/);
    expect((await cli("down")).out).toMatch(/no local cluster is up/);
    await waitFor(() => pids.every((pid) => !isProcessAlive(pid)), {
      timeoutMs: 1000,
      what: "no leftovers",
    });
  });
});
