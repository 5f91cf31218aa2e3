import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, waitFor } from "@atlas-ha/testkit";
import { runClusterCli } from "../src/index.js";
import { useLocalCluster } from "../src/vitest.js";

// Real servers: a standalone ZooKeeper, a Kafka broker and two atlas-server instances
// (apps/atlas-server/dist/main.js) sharing one SQLite file, all on free ports in a temp
// folder, guarded (they die with this test process).
const home = mkdtempSync(join(tmpdir(), "atlas-ha-cluster-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function getEntity(
  url: string,
  qualifiedName: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(
    `${url}/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=${encodeURIComponent(qualifiedName)}`,
    {
      headers: { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` },
      redirect: "manual",
    },
  );
  return { status: res.status, body: await res.text() };
}

describe("a local cluster of two atlas-server instances", () => {
  const cluster = useLocalCluster({
    instances: 2,
    zk: 1,
    sessionTimeoutMs: 4000,
    stateDir: join(home, "cluster"),
    clusterFile: join(home, "cluster.json"),
  });

  it("starts with atlas-1 ACTIVE and atlas-2 PASSIVE, both configured for one election and one store", async () => {
    const states = await cluster().statuses();
    expect(states.map((s) => [s.name, s.state])).toEqual([
      ["atlas-1", "ACTIVE"],
      ["atlas-2", "PASSIVE"],
    ]);
    const [one, two] = cluster().instances.map((i) => readFileSync(i.configFile, "utf8"));
    for (const config of [one!, two!]) {
      expect(config).toMatch(/^atlas\.server\.ids=id1,id2$/m);
      expect(config).toMatch(/^atlas\.server\.ha\.zookeeper\.session\.timeout\.ms=4000$/m);
      expect(config).toContain(
        `atlas.store.sqlite.path=${join(home, "cluster", "store", "atlas.db")}`,
      );
    }
    expect(one).toMatch(/^atlas\.server\.id=id1$/m);
    expect(two).toMatch(/^atlas\.server\.id=id2$/m);
    expect((await cluster().instance("atlas-2").health())?.serverId).toBe("id2");
  });

  it("reports through the CLI's status: the processes and an OK verdict from atlas-status", async () => {
    let out = "";
    const code = await runClusterCli(["status", "--json"], {
      home,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
    });
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      atlasStatus: { verdict: string; active: string };
      processes: { name: string; process: string }[];
    };
    expect(report.atlasStatus.verdict).toBe("OK");
    expect(report.atlasStatus.active).toBe(cluster().instance("atlas-1").url);
    expect(report.processes.map((p) => `${p.name} ${p.process}`)).toEqual([
      "atlas-1 running",
      "atlas-2 running",
      "zk-1 running",
      "kafka running",
    ]);
  });

  it("delivers a produced hook message to the active, and a passive redirects to it", async () => {
    const message = readFileSync(
      join(repoRoot(), "examples", "hook-messages", "create-db.json"),
      "utf8",
    );
    await cluster().produce([message]);
    const active = cluster().instance("atlas-1");
    const found = await waitFor(
      async () => {
        const res = await getEntity(active.url, "sales@demo");
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the hook message's hive_db on the active" },
    );
    expect(JSON.parse(found.body).entity.attributes.qualifiedName).toBe("sales@demo");
    const passive = await getEntity(cluster().instance("atlas-2").url, "sales@demo");
    expect(passive.status).toBe(302);
  });

  it("fails over when the active is killed: the passive becomes ACTIVE, the killed one comes back PASSIVE", async () => {
    const c = cluster();
    const oldPid = c.instance("atlas-1").process.pid;
    await c.kill("atlas-1");
    const next = await c.waitForActive({ not: "atlas-1", timeoutMs: 30_000 });
    expect(next.name).toBe("atlas-2");
    expect(await c.instance("atlas-1").status()).toBeUndefined();

    await c.start("atlas-1");
    expect(c.instance("atlas-1").process.pid).not.toBe(oldPid);
    await c.instance("atlas-1").waitForState("PASSIVE");
    expect((await c.waitForActive()).name).toBe("atlas-2");
    // cluster.json follows the new pid.
    const description = JSON.parse(readFileSync(join(home, "cluster.json"), "utf8")) as {
      instances: { name: string; pid: number }[];
    };
    expect(description.instances.find((i) => i.name === "atlas-1")!.pid).toBe(
      c.instance("atlas-1").process.pid,
    );
    // The store is shared: the new active sees what the old one wrote.
    expect((await getEntity(next.url, "sales@demo")).status).toBe(200);
  });
});

// Real servers: a standalone ZooKeeper, Kafka, PostgreSQL (Debian's binaries) and two
// atlas-server instances sharing one PostgreSQL database, on free ports, guarded.
describe("a local cluster with the postgres backend", () => {
  const cluster = useLocalCluster({ instances: 2, zk: 1, backend: "postgres" });

  it("shares one PostgreSQL database: after a clean stop of the active, the new active reads what the old one applied", async () => {
    const c = cluster();
    expect(c.postgres).toBeDefined();
    for (const instance of c.instances) {
      expect(readFileSync(instance.configFile, "utf8")).toMatch(
        /^atlas\.store\.backend=postgres$/m,
      );
      expect(readFileSync(instance.configFile, "utf8")).toContain(
        `atlas.store.postgres.url=postgres://postgres@127.0.0.1:${c.postgres!.port}/atlas`,
      );
    }
    expect(c.describe().postgres?.url).toBe(
      `postgres://postgres@127.0.0.1:${c.postgres!.port}/atlas`,
    );
    const message = readFileSync(
      join(repoRoot(), "examples", "hook-messages", "create-db.json"),
      "utf8",
    );
    await c.produce([message]);
    await waitFor(
      async () => (await getEntity(c.instance("atlas-1").url, "sales@demo")).status === 200,
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: "the hook message's hive_db on atlas-1",
      },
    );
    await c.stop("atlas-1");
    const next = await c.waitForActive({ not: "atlas-1", timeoutMs: 30_000 });
    expect(next.name).toBe("atlas-2");
    expect((await getEntity(next.url, "sales@demo")).status).toBe(200);
  });
});
