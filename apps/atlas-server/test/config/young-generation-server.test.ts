/**
 * The launcher's young-generation cap (src/young-generation.ts) in a real atlas-server process
 * (dist/main.js, standalone, SQLite): the young generation stays at V8's starting size while
 * the modules load (which alone grew it to 2 × 8 MB, past a cap of 4 MB that was then never in
 * effect, whatever the mechanism's own test said), and never passes 2 × SEMI_SPACE_CAP_MB
 * from the start through REST writes. Its own file: the testkit this needs, loaded into a
 * test file's process, grows that process's young generation too.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { atlasCall } from "@atlas-ha/testkit";
import { describe, expect, it } from "vitest";
import { SEMI_SPACE_CAP_MB } from "../../src/young-generation.js";
import { atlasServerBin } from "../support/server-bin.js";
import { startStandalone } from "../support/standalone.js";

const run = promisify(execFile);

// Required into the server process through NODE_OPTIONS (a flag the launcher does not take for
// the operator's own young-generation setting): the largest young generation the process had.
const PROBE = (out: string) => `
const { writeFileSync } = require("node:fs");
const v8 = require("node:v8");
let largest = 0;
const look = () => {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  if (space.space_size <= largest) return;
  largest = space.space_size;
  writeFileSync(${JSON.stringify(out)}, String(largest / 2 ** 20));
};
look();
setInterval(look, 5).unref();
process.on("exit", look);
`;

/** A temp dir with the probe; `fn` gets the NODE_OPTIONS that load it and reads its figure. */
async function probed(fn: (nodeOptions: string) => Promise<void>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "atlas-young-"));
  try {
    const probe = join(dir, "probe.cjs");
    const out = join(dir, "largest-young-generation-mb");
    writeFileSync(probe, PROBE(out));
    await fn(`--require ${probe}`);
    return Number(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the launcher's young-generation cap in a real atlas-server process", () => {
  it("holds the young generation at V8's starting size while the server's modules load", async () => {
    // `--version` loads every module of the command, prints, and exits before any cap.
    const largest = await probed(async (nodeOptions) => {
      const { stdout } = await run(process.execPath, [atlasServerBin(), "--version"], {
        env: { ...process.env, NODE_OPTIONS: nodeOptions },
      });
      expect(stdout).toMatch(/^atlas-ha /);
    });
    expect(largest, "the probe saw the young generation").toBeGreaterThan(0);
    // V8 alone: 2 × 8 MB by the end of the load.
    expect(largest).toBeLessThanOrEqual(2);
  });

  it("stays within 2 × SEMI_SPACE_CAP_MB from the start through REST writes", async () => {
    const largest = await probed(async (nodeOptions) => {
      const server = await startStandalone("young-generation", undefined, {
        NODE_OPTIONS: nodeOptions,
      });
      try {
        for (let round = 0; round < 20; round++) {
          const entities = Array.from({ length: 50 }, (_, i) => ({
            typeName: "hive_db",
            attributes: {
              qualifiedName: `young_${round}_${i}@cl`,
              name: `young_${round}_${i}`,
              clusterName: "cl",
            },
          }));
          const created = await atlasCall(server, "POST", "/api/atlas/v2/entity/bulk", {
            entities,
          });
          expect(created.status).toBe(200);
        }
      } finally {
        await server.stop();
      }
    });
    expect(largest, "the probe saw the young generation").toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(2 * SEMI_SPACE_CAP_MB);
  }, 60_000);
});
