import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  isProcessAlive,
  ManagedProcess,
  processStartTime,
  waitFor,
  type ProcessIdentity,
  type ProcessSpec,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "atlas-ha-testkit-detached-"));
const leftovers: number[] = [];
afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone, as it should be
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function statField(pid: number, index: number): string {
  // Fields after the command name: [0] state, [1] ppid, [2] pgrp, [3] session …
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[index]!;
}

/** Runs a Node script that starts a detached process, prints its spec and identity, and dies. */
async function launchAndDie(
  spec: ProcessSpec,
): Promise<{ spec: ProcessSpec; identity: ProcessIdentity }> {
  const script = `
    import { ManagedProcess } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
    const p = new ManagedProcess(${JSON.stringify(spec)});
    await p.start();
    process.stdout.write(JSON.stringify({ spec: p.spec, identity: p.identity }) + "\\n");
    process.kill(process.pid, "SIGKILL");
  `;
  const launcher = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  launcher.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => launcher.once("exit", resolve));
  const launched = JSON.parse(out) as { spec: ProcessSpec; identity: ProcessIdentity };
  leftovers.push(launched.identity.pid);
  return launched;
}

describe("a detached process", () => {
  it("outlives the launcher that started it, in a session of its own, and a later launcher signals and restarts it", async () => {
    const logFile = join(dir, "sleeper.log");
    const { spec, identity } = await launchAndDie({
      name: "sleeper",
      command: "sh",
      args: ["-c", "echo started $$; exec sleep 300"],
      env: { SLEEPER: "1" },
      logFile,
      detached: true,
    });
    // The launcher died by SIGKILL, with no exit hook; no guard was there to take the server with it.
    expect(isProcessAlive(identity.pid, identity.startTime)).toBe(true);
    expect(statField(identity.pid, 3)).toBe(String(identity.pid)); // session leader: setsid
    expect(spec).toEqual({
      name: "sleeper",
      command: "sh",
      args: ["-c", "echo started $$; exec sleep 300"],
      env: { SLEEPER: "1" },
      logFile,
      detached: true,
    });

    const p = ManagedProcess.attach(spec, identity);
    expect(p.running).toBe(true);
    expect(p.pid).toBe(identity.pid);
    p.pause();
    await waitFor(() => statField(identity.pid, 0) === "T", {
      timeoutMs: 5000,
      what: "the process to be stopped",
    });
    expect(p.paused).toBe(true);
    p.resume();
    await waitFor(() => statField(identity.pid, 0) !== "T", {
      timeoutMs: 5000,
      what: "the process to run again",
    });
    await p.stop(5000);
    expect(p.running).toBe(false);
    expect(isProcessAlive(identity.pid)).toBe(false);

    await p.start();
    const second = p.pid!;
    leftovers.push(second);
    expect(second).not.toBe(identity.pid);
    await waitFor(() => readFileSync(logFile, "utf8").includes(`started ${second}`), {
      timeoutMs: 5000,
      what: "the second run to log",
    });
    // One log across runs, appended.
    expect(readFileSync(logFile, "utf8")).toContain(`started ${identity.pid}`);
    await p.kill();
    expect(isProcessAlive(second)).toBe(false);
  });

  it("is not running for a later launcher once its pid belongs to another process", () => {
    // This test process stands for an unrelated process that got the pid after a reboot.
    const startTime = processStartTime(process.pid)!;
    const p = ManagedProcess.attach(
      {
        name: "gone",
        command: "sleep",
        args: ["300"],
        logFile: join(dir, "gone.log"),
        detached: true,
      },
      { pid: process.pid, startTime: startTime + 1 },
    );
    expect(p.running).toBe(false);
    expect(() => p.pause()).toThrow(/not running/);
    expect(ManagedProcess.attach(p.spec, { pid: process.pid, startTime }).running).toBe(true);
  });

  it("notices the exit of an attached process it did not start", async () => {
    const { spec, identity } = await launchAndDie({
      name: "short",
      command: "sleep",
      args: ["300"],
      logFile: join(dir, "short.log"),
      detached: true,
    });
    const p = ManagedProcess.attach(spec, identity);
    const exited = p.exited;
    process.kill(identity.pid, "SIGTERM");
    await expect(exited).resolves.toEqual({ code: null, signal: null });
    expect(p.running).toBe(false);
  });
});
