import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30_000 });

describe("the chaos CLI (dist/cli.js)", () => {
  it("prints its help, with every fault kind, and exits 0", () => {
    const result = run("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--faults N/);
    expect(result.stdout).toMatch(/partition-long/);
  });

  it("exits 2 on a bad argument before starting anything, naming the problem", () => {
    for (const args of [
      ["--faults", "ten"],
      ["--faults", "0"],
      ["--kinds", "kill-everything"],
      ["--backend", "mysql"],
      ["--frobnicate"],
    ]) {
      const result = run(...args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^chaos: /);
    }
  });

  it("refuses --faults 0 with a reason, and states its minimums in the help", () => {
    const result = run("--faults", "0");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^chaos: --faults 0: a run without faults injects nothing/);
    expect(run("--help").stdout).toMatch(/a minimum not reached/);
  });
});
