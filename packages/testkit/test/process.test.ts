import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManagedProcess, waitFor } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "atlas-ha-testkit-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function processState(pid: number): string {
  // Third field of /proc/<pid>/stat: R, S, T (stopped), Z …
  return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0]!;
}

describe("a managed process", () => {
  it("is paused, resumed, stopped and restarted by signals", async () => {
    const p = new ManagedProcess({
      name: "sleeper",
      command: "sleep",
      args: ["300"],
      logFile: join(dir, "sleeper.log"),
    });
    await p.start();
    const first = p.pid!;
    expect(isAlive(first)).toBe(true);
    p.pause();
    await waitFor(() => processState(first) === "T", {
      timeoutMs: 5000,
      what: "the process to be stopped",
    });
    p.resume();
    await waitFor(() => processState(first) !== "T", {
      timeoutMs: 5000,
      what: "the process to run again",
    });
    await p.restart();
    expect(p.pid).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    const exit = p.exited;
    await p.kill();
    expect((await exit).code).toBe(137); // 128 + SIGKILL, as the guard reports it
    expect(p.running).toBe(false);
  });

  it("is killed when the process that started it dies without cleaning up", async () => {
    // A Node process starts a server through the testkit, prints its pid, then SIGKILLs
    // itself: no exit hook runs, only the guard can clean up.
    const script = `
      import { ManagedProcess } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const p = new ManagedProcess({ name: "orphan", command: "sleep", args: ["300"], logFile: ${JSON.stringify(join(dir, "orphan.log"))} });
      await p.start();
      process.stdout.write(String(p.pid) + "\\n");
      process.kill(process.pid, "SIGKILL");
    `;
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => parent.once("exit", resolve));
    const orphan = Number(out.trim());
    expect(orphan).toBeGreaterThan(0);
    await waitFor(() => !isAlive(orphan), {
      timeoutMs: 5000,
      what: `pid ${orphan} to be killed by its guard`,
    });
  });
});
