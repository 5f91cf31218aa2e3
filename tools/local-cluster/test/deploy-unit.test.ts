/**
 * deploy/systemd/atlas-server.service: systemd's own checker accepts it (`systemd-analyze
 * verify`, with ExecStart pointed at this checkout's atlas-server, the one path it must find),
 * its hardening keeps systemd's exposure score low, and its stop timeout leaves the server its
 * whole graceful shutdown (deploy/three-hosts' `atlas.server.shutdown.timeout.ms`, then the
 * forced exit 5 s later) before SIGKILL.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "@atlas-ha/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../src/index.js";

const unitText = readFileSync(join(repoRoot(), "deploy/systemd/atlas-server.service"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "atlas-ha-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every value of `key` in the unit, in order. */
function values(key: string): string[] {
  return [...unitText.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]!.trim());
}

/** The unit with ExecStart running this checkout's server through this Node. */
function localUnit(): string {
  const file = join(dir, "atlas-server.service");
  writeFileSync(
    file,
    unitText.replace(
      /^ExecStart=\/opt\/atlas-ha\/bin\/atlas-server /m,
      `ExecStart=${process.execPath} ${atlasServerBin()} `,
    ),
  );
  return file;
}

describe("the systemd unit", () => {
  it("passes systemd-analyze verify", () => {
    const result = spawnSync("systemd-analyze", ["verify", localUnit()], { encoding: "utf8" });
    expect({ code: result.status, error: result.error?.message, stderr: result.stderr }).toEqual({
      code: 0,
      error: undefined,
      stderr: "",
    });
  });

  it("is hardened: systemd-analyze security rates its exposure below 2 (OK)", () => {
    const result = spawnSync("systemd-analyze", ["security", "--offline=yes", localUnit()], {
      encoding: "utf8",
    });
    const score = /Overall exposure level for atlas-server\.service: ([\d.]+)/.exec(result.stdout);
    expect(score, result.stdout + result.stderr).not.toBeNull();
    expect(Number(score![1])).toBeLessThan(2);
    for (const [key, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["User", "atlas"],
    ]) {
      expect(values(key!), key).toEqual([value]);
    }
    // V8's JIT writes code: this would kill the server at its first compilation.
    expect(values("MemoryDenyWriteExecute")).toEqual([]);
  });

  it("waits for the whole graceful shutdown before SIGKILL, and does not restart on a configuration error", () => {
    const props = readFileSync(
      join(repoRoot(), "deploy/three-hosts/atlas-application.properties"),
      "utf8",
    );
    const shutdownMs = Number(/^atlas\.server\.shutdown\.timeout\.ms=(\d+)$/m.exec(props)?.[1]);
    expect(shutdownMs).toBeGreaterThan(0);
    const stopSeconds = Number(/^(\d+)s?$/.exec(values("TimeoutStopSec")[0] ?? "")?.[1]);
    // The server exits within the timeout, or is forced out 5 s later (docs/operations.md).
    expect(stopSeconds).toBeGreaterThan(shutdownMs / 1000 + 5);
    expect(values("KillSignal")).toEqual(["SIGTERM"]);
    expect(values("Restart")).toEqual(["on-failure"]);
    expect(values("RestartPreventExitStatus")).toEqual(["2"]);
  });
});
