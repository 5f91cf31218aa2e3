import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@atlas-ha/testkit";
import { runClusterCli, startLocalCluster, tickTimeFor } from "../src/index.js";

const home = mkdtempSync(join(tmpdir(), "atlas-ha-cluster-cli-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  let prepared = false;
  const code = await runClusterCli(argv, {
    home,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    prepare: () => {
      prepared = true;
    },
  });
  return { code, out, err, prepared };
}

describe("the cluster CLI's arguments", () => {
  it("prints its usage for --help (exit 0) and without a command (exit 2)", async () => {
    const help = await cli("--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: .* <command>/);
    for (const command of [
      "up",
      "status",
      "kill",
      "stop",
      "pause",
      "resume",
      "start",
      "produce",
      "down",
    ]) {
      expect(help.out).toContain(`  ${command}`);
    }
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/^Usage:/);
  });

  it.each([
    [["frob"], /unknown command "frob"/],
    [["up", "--zk", "2"], /--zk: must be 1 or 3, got "2"/],
    [["up", "--instances", "0"], /--instances: must be an integer from 1 to 20, got "0"/],
    [["up", "--instances", "two"], /--instances: must be an integer/],
    [
      ["up", "--session-timeout", "500"],
      /--session-timeout: must be an integer from 1000 to 300000/,
    ],
    [["up", "--backend", "mysql"], /--backend: must be sqlite or postgres, got "mysql"/],
    [["up", "--detach=yes"], /--detach/],
    [["up", "--bogus"], /Unknown option --bogus/],
    [["up", "atlas-1"], /Unexpected argument 'atlas-1'/],
    [["kill"], /kill needs the name of a process/],
    [["start"], /start needs the name of a process/],
    [["produce"], /produce needs at least one file/],
    [["status", "--table"], /Unknown option --table/],
  ])(
    "rejects %j with exit 2 and a message naming the problem, starting nothing",
    async (argv, message) => {
      const result = await cli(...argv);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
      expect(result.err).toMatch(/--help for usage/);
      expect(result.prepared).toBe(false);
      expect(existsSync(join(home, "cluster"))).toBe(false);
    },
  );

  it("says that no cluster is up: status, kill and produce fail (exit 1), down has nothing to do (exit 0)", async () => {
    for (const argv of [["status"], ["kill", "atlas-1"], ["start", "zk-1"]]) {
      const result = await cli(...argv);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/no local cluster is up \(start one with .* up\)/);
    }
    const down = await cli("down");
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/no local cluster is up/);
  });
});

describe("the cluster launcher's ports", () => {
  it("refuses to start when a fixed port is taken, naming the port, its use and its holder, before anything starts", async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen({ port, host: "127.0.0.1" }, resolve));
    const stateDir = join(home, "taken");
    try {
      const error = await startLocalCluster({
        instances: 0,
        zk: 1,
        stateDir,
        ports: { kafka: port },
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "PortInUseError", code: "CLUSTER_PORT_IN_USE" });
      const { ports, message } = error as {
        ports: { port: number; use: string; holder?: { pid: number } }[];
        message: string;
      };
      expect(ports).toEqual([
        { port, use: "kafka", holder: { pid: process.pid, command: expect.any(String) } },
      ]);
      expect(message).toContain(`${port} (for kafka) is taken by pid ${process.pid}`);
      expect(existsSync(stateDir)).toBe(false);
    } finally {
      holder.close();
    }
  });

  it("rejects bad options with a typed error naming the option", async () => {
    await expect(startLocalCluster({ zk: 2 as 1 })).rejects.toMatchObject({
      name: "ClusterOptionsError",
      code: "CLUSTER_BAD_OPTION",
      option: "zk",
    });
    await expect(
      startLocalCluster({ instances: 2, ports: { atlas: [21000] } }),
    ).rejects.toMatchObject({ option: "ports.atlas" });
  });

  it("picks a ZooKeeper tickTime that grants the session timeout (2 to 20 ticks, tick at most 2 s)", () => {
    for (const timeout of [1000, 2500, 4000, 20_000, 60_000, 300_000]) {
      const tick = tickTimeFor(timeout);
      expect(tick).toBeLessThanOrEqual(2000);
      expect(timeout).toBeGreaterThanOrEqual(2 * tick);
      if (timeout <= 40_000) expect(timeout).toBeLessThanOrEqual(20 * tick);
    }
    expect(tickTimeFor(4000)).toBe(400);
  });
});
