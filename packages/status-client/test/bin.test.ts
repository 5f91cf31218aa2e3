// The built `atlas-status` executable (dist/cli.js, run through its shebang), against real
// HTTP servers on 127.0.0.1. Needs `npm run build` first (turbo's test task depends on it).
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverPool, waitFor } from "./helpers/servers.js";

const BIN = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const pool = serverPool();
afterEach(() => pool.closeAll());

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnBin(
  args: string[],
  onStdout?: (soFar: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe("the atlas-status bin", () => {
  beforeAll(() => {
    try {
      accessSync(BIN, constants.X_OK);
    } catch {
      throw new Error(
        `${BIN} is missing or not executable: run \`npm run build -w @atlas-ha/status-client\` first`,
      );
    }
  });

  it("starts with a node shebang", () => {
    expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("prints the table and exits 0 for one ACTIVE and one PASSIVE", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "PASSIVE" });
    const run = await spawnBin([a.url, b.url]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(
      new RegExp(
        `^${a.url} +ACTIVE +\\d+\\.\\d ms\\n${b.url} +PASSIVE +\\d+\\.\\d ms\\nATLAS OK: `,
      ),
    );
  });

  it("exits 2 with parseable --json on split brain", async () => {
    const a = await pool.start({ kind: "state", state: "ACTIVE" });
    const b = await pool.start({ kind: "state", state: "ACTIVE" });
    const run = await spawnBin(["--json", a.url, b.url]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      verdict: "CRITICAL",
      problem: "SPLIT_BRAIN",
      activeCount: 2,
    });
  });

  it("exits 3 on bad arguments, with the reason on stderr", async () => {
    const run = await spawnBin(["--timeout", "fast", "http://127.0.0.1:1"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain('--timeout takes a whole number ≥ 1, got "fast"');
  });

  it("--watch ends on SIGINT with the exit code of the last verdict", async () => {
    const a = await pool.start({ kind: "state", state: "PASSIVE" });
    let interrupted = false;
    const run = await spawnBin(["--watch", "--interval", "50", a.url], (soFar, child) => {
      if (!interrupted && soFar.includes("verdict")) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    await waitFor(() => interrupted, "the first verdict line");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${a.url} (start) -> PASSIVE`);
    expect(run.stdout).toContain("verdict (start) -> CRITICAL: no ACTIVE instance; 1 PASSIVE");
  });
});
