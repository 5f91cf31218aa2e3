import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { waitFor } from "../src/index.js";
import { usePostgres } from "../src/vitest.js";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!;
}

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("a PostgreSQL server (real postgres from Debian's binaries)", () => {
  const pg = usePostgres();

  it("accepts connections on its URL and runs queries", async () => {
    expect(pg().url).toBe(`postgres://postgres@127.0.0.1:${pg().port}/postgres`);
    expect(await pg().psql("select 40 + 2")).toBe("42");
    expect(existsSync(`${pg().dataDir}/PG_VERSION`)).toBe(true);
  });

  it("the guard's child is the postmaster itself, not a user-switching wrapper", () => {
    const cmdline = readFileSync(`/proc/${pg().process.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline[0]).toMatch(/postgres$/);
    expect(cmdline).toContain(pg().dataDir);
  });

  it("creates databases that are separate from each other", async () => {
    const url = await pg().createDatabase("kit_one");
    expect(url).toBe(`postgres://postgres@127.0.0.1:${pg().port}/kit_one`);
    await pg().psql("create table t (v int); insert into t values (7)", { database: "kit_one" });
    expect(await pg().psql("select v from t", { database: "kit_one" })).toBe("7");
    await expect(pg().psql("select v from t")).rejects.toThrow(/does not exist/);
  });

  it("keeps committed data across a kill and a restart", async () => {
    await pg().psql("create table survivors (v text); insert into survivors values ('kept')");
    const before = pg().process.pid!;
    await pg().kill();
    expect(isAlive(before)).toBe(false);
    expect(await pg().isServing()).toBe(false);
    await pg().start();
    expect(await pg().psql("select v from survivors")).toBe("kept");
    await pg().restart();
    expect(pg().process.pid).not.toBe(before);
    expect(await pg().psql("select count(*) from survivors")).toBe("1");
  });

  it("pause freezes established connections too, resume brings them back", async () => {
    const backends = childrenOf(pg().process.pid!);
    expect(backends.length).toBeGreaterThan(0);
    pg().pause();
    try {
      const frozen = [pg().process.pid!, ...backends];
      // A backend that was exiting stays a zombie ("Z") while its stopped postmaster cannot reap it.
      await waitFor(
        () => frozen.every((pid) => !isAlive(pid) || ["T", "Z"].includes(processState(pid))),
        {
          timeoutMs: 5000,
          what: "the postmaster and every backend to be stopped",
        },
      );
      expect(await pg().isServing()).toBe(false);
    } finally {
      pg().resume();
    }
    await waitFor(() => pg().isServing(), {
      timeoutMs: 10_000,
      what: "postgres to serve after resume",
    });
  });

  it("is killed with its backends when the process that started it dies without cleaning up", async () => {
    // A Node process starts PostgreSQL through the built testkit, prints the postmaster's pid
    // and its backends, then SIGKILLs itself: no exit hook runs, only the guard can clean up.
    const script = `
      import { startPostgres } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      import { readdirSync, readFileSync } from "node:fs";
      const pg = await startPostgres();
      const pid = pg.process.pid;
      const kids = readdirSync("/proc").filter((e) => /^\\d+$/.test(e)).filter((e) => {
        try { const s = readFileSync("/proc/" + e + "/stat", "utf8"); return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]) === pid; } catch { return false; }
      });
      process.stdout.write(JSON.stringify({ pid, kids: kids.map(Number), baseDir: pg.baseDir }) + "\\n");
      process.kill(process.pid, "SIGKILL");
    `;
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (c: Buffer) => (out += c.toString()));
    await new Promise((resolve) => parent.once("exit", resolve));
    const { pid, kids, baseDir } = JSON.parse(out.trim()) as {
      pid: number;
      kids: number[];
      baseDir: string;
    };
    expect(pid).toBeGreaterThan(0);
    expect(kids.length).toBeGreaterThan(0);
    await waitFor(() => [pid, ...kids].every((p) => !isAlive(p)), {
      timeoutMs: 10_000,
      what: `postmaster ${pid} and its backends to be gone`,
    });
    rmSync(baseDir, { recursive: true, force: true });
  });
});
