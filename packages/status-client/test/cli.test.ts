// The atlas-status command functions (main → runStatus), against real HTTP servers on 127.0.0.1.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HELP, main } from "../src/cli.js";
import { captureIO, refusedPort, serverPool } from "./helpers/servers.js";

const pool = serverPool();
afterEach(() => pool.closeAll());

async function run(argv: string[]) {
  const capture = captureIO();
  const code = await main(argv, capture.io);
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}

const states = (...names: string[]) =>
  Promise.all(names.map((state) => pool.start({ kind: "state", state })));

describe("atlas-status (table)", () => {
  it("exits 0 with one line per instance (url, state, response time) and an OK verdict", async () => {
    const [a, b] = await states("ACTIVE", "PASSIVE");
    const { code, stdout, stderr } = await run([a!.url, `${b!.url}/`]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${a!.url} +ACTIVE +\\d+\\.\\d ms$`));
    expect(lines[1]).toMatch(new RegExp(`^${b!.url} +PASSIVE +\\d+\\.\\d ms$`));
    expect(lines[2]).toBe(`ATLAS OK: exactly one ACTIVE: ${a!.url}; 1 PASSIVE`);
  });

  it("exits 1 when one is ACTIVE but another refuses connections, and says why on its line", async () => {
    const [a] = await states("ACTIVE");
    const down = `http://127.0.0.1:${await refusedPort()}`;
    const { code, stdout } = await run([a!.url, down]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(`${down} +UNREACHABLE +\\d+\\.\\d ms  connection refused \\(ECONNREFUSED\\)`),
    );
    expect(stdout).toContain("ATLAS WARNING: exactly one ACTIVE");
  });

  it("exits 1 when one is ACTIVE and another is becoming passive (503)", async () => {
    const [a] = await states("ACTIVE");
    const b = await pool.start({ kind: "state", state: "BECOMING_PASSIVE", httpStatus: 503 });
    const { code, stdout } = await run([a!.url, b.url]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/BECOMING_PASSIVE +\d+\.\d ms  HTTP 503/);
  });

  it("exits 2 when no instance is ACTIVE", async () => {
    const [a, b] = await states("PASSIVE", "BECOMING_ACTIVE");
    const { code, stdout } = await run([a!.url, b!.url]);
    expect(code).toBe(2);
    expect(stdout).toContain("ATLAS CRITICAL: no ACTIVE instance; 1 PASSIVE, 1 BECOMING_ACTIVE");
  });

  it("exits 2 on split brain", async () => {
    const [a, b] = await states("ACTIVE", "ACTIVE");
    const { code, stdout } = await run([a!.url, b!.url]);
    expect(code).toBe(2);
    expect(stdout).toContain("ATLAS CRITICAL: split brain: 2 instances ACTIVE");
  });

  it("reports a hanging instance as UNREACHABLE with the timeout given by --timeout", async () => {
    const [a] = await states("ACTIVE");
    const hanging = await pool.start({ kind: "hang" });
    const { code, stdout } = await run(["--timeout", "300", a!.url, hanging.url]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(`${hanging.url} +UNREACHABLE .*no answer within 300 ms \\(timeout\\)`),
    );
  });

  it("shows a redirect answer as INVALID and does not follow it", async () => {
    const [a] = await states("ACTIVE");
    const redirecting = await pool.start({
      kind: "redirect",
      location: `${a!.url}/api/atlas/admin/status`,
    });
    const { code, stdout } = await run([a!.url, redirecting.url]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      new RegExp(
        `${redirecting.url} +INVALID .*HTTP 302 redirect to ${a!.url}/api/atlas/admin/status`,
      ),
    );
    expect(a!.requests).toHaveLength(1);
  });
});

describe("atlas-status bad arguments exit 3 (UNKNOWN)", () => {
  it.each([
    [[], "no instance given"],
    [["--bogus", "http://a:1"], "Unknown option '--bogus'"],
    [["--timeout", "soon", "http://a:1"], '--timeout takes a whole number ≥ 1, got "soon"'],
    [["--timeout", "0", "http://a:1"], "--timeout takes a whole number ≥ 1"],
    [["--json", "--prometheus", "http://a:1"], "--json and --prometheus exclude each other"],
    [["--watch", "--prometheus", "http://a:1"], "cannot be combined with --watch"],
    [["--count", "2", "http://a:1"], "--interval and --count only apply with --watch"],
    [["--config", "x.properties", "http://a:1"], "not both"],
    [["ftp://a:1"], "only http: and https: instances can be probed. [STATUS_BAD_URL]"],
    [["--config", "/nonexistent/atlas-application.properties"], "[STATUS_CONFIG_UNREADABLE]"],
  ])("%j → %s", async (argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });
});

describe("atlas-status --json", () => {
  it("prints one JSON document with the verdict, the active and every instance", async () => {
    const [a, b] = await states("PASSIVE", "ACTIVE");
    const junk = await pool.start({ kind: "raw", httpStatus: 200, body: "OK" });
    const { code, stdout } = await run(["--json", a!.url, b!.url, junk.url]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      verdict: "WARNING",
      exitCode: 1,
      problem: "DEGRADED",
      active: b!.url,
      activeCount: 1,
    });
    expect(doc.instances.map((i: { state: string }) => i.state)).toEqual([
      "PASSIVE",
      "ACTIVE",
      "INVALID",
    ]);
    expect(doc.instances[2]).toMatchObject({
      url: junk.url,
      httpStatus: 200,
      problem: "NOT_JSON",
      detail: 'HTTP 200 with a body that is not JSON: "OK"',
    });
    expect(typeof doc.instances[0].responseTimeMs).toBe("number");
  });
});

describe("atlas-status --prometheus", () => {
  it("prints a 0/1 gauge per instance and state, response times, and the active count", async () => {
    const [a, b] = await states("ACTIVE", "PASSIVE");
    const { code, stdout } = await run(["--prometheus", a!.url, b!.url]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    const samples = lines.filter((l) => !l.startsWith("#"));
    // Prometheus text format: name{labels} value, nothing else on a sample line.
    for (const sample of samples)
      expect(sample).toMatch(/^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.]+$/);
    expect(samples).toContain(`atlas_instance_state{url="${a!.url}",state="ACTIVE"} 1`);
    expect(samples).toContain(`atlas_instance_state{url="${a!.url}",state="PASSIVE"} 0`);
    expect(samples).toContain(`atlas_instance_state{url="${b!.url}",state="PASSIVE"} 1`);
    expect(samples.filter((s) => s.startsWith("atlas_instance_state{"))).toHaveLength(2 * 6);
    expect(
      samples.filter((s) => s.startsWith("atlas_instance_state{") && s.endsWith(" 1")),
    ).toHaveLength(2);
    expect(
      samples.filter((s) => s.startsWith("atlas_instance_response_time_seconds{")),
    ).toHaveLength(2);
    expect(samples).toContain("atlas_active_instances 1");
    expect(samples).toContain("atlas_status_check_verdict 0");
    for (const name of [
      "atlas_instance_state",
      "atlas_instance_response_time_seconds",
      "atlas_active_instances",
    ]) {
      expect(lines).toContain(`# TYPE ${name} gauge`);
      expect(lines.some((l) => l.startsWith(`# HELP ${name} `))).toBe(true);
    }
  });

  it("counts two actives on split brain and exits 2", async () => {
    const [a, b] = await states("ACTIVE", "ACTIVE");
    const { code, stdout } = await run(["--prometheus", a!.url, b!.url]);
    expect(code).toBe(2);
    expect(stdout).toContain("atlas_active_instances 2\n");
  });
});

describe("atlas-status --config", () => {
  it("reads atlas.server.ids / atlas.server.address.* and probes those instances in that order", async () => {
    const [a, b] = await states("PASSIVE", "ACTIVE");
    const dir = await mkdtemp(join(tmpdir(), "atlas-status-cli-"));
    try {
      const file = join(dir, "atlas-application.properties");
      await writeFile(
        file,
        [
          "atlas.server.ids=id2,id1",
          `atlas.server.address.id1=127.0.0.1:${a!.port}`,
          `atlas.server.address.id2=127.0.0.1:${b!.port}`,
          "atlas.client.ha.retries=0",
        ].join("\n"),
      );
      const { code, stdout } = await run(["--config", file]);
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(new RegExp(`^${b!.url} +ACTIVE`));
      expect(lines[1]).toMatch(new RegExp(`^${a!.url} +PASSIVE`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("retries an unreachable instance as atlas.client.ha.retries says, unless --retries overrides", async () => {
    const [a] = await states("ACTIVE");
    const down = await refusedPort();
    const dir = await mkdtemp(join(tmpdir(), "atlas-status-cli-"));
    try {
      await writeFile(
        join(dir, "atlas-application.properties"),
        [
          `atlas.server.address.id1=127.0.0.1:${a!.port}`,
          `atlas.server.address.id2=127.0.0.1:${down}`,
          "atlas.client.ha.retries=2",
          "atlas.client.ha.sleep.interval.ms=10",
        ].join("\n"),
      );
      const fromConfig = await run(["--json", "--config", dir]);
      expect(JSON.parse(fromConfig.stdout).instances[1]).toMatchObject({
        state: "UNREACHABLE",
        attempts: 3,
      });
      const overridden = await run(["--json", "--retries", "0", "--config", dir]);
      expect(JSON.parse(overridden.stdout).instances[1]).toMatchObject({
        state: "UNREACHABLE",
        attempts: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("atlas-status --help", () => {
  it("explains every option and the exit codes, and exits 0", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toBe(HELP);
    for (const word of [
      "--config",
      "--timeout",
      "--deadline",
      "--retries",
      "--retry-interval",
      "--json",
      "--prometheus",
      "--watch",
      "--interval",
      "--count",
      "--help",
    ]) {
      expect(stdout).toContain(word);
    }
    for (const code of ["0 OK", "1 WARNING", "2 CRITICAL", "3 UNKNOWN"])
      expect(stdout).toContain(code);
  });
});
