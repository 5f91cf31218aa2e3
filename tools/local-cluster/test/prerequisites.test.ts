/**
 * A brand-new machine with only Node and npm (scripts/prerequisites.mjs, used by npm start,
 * npm test, npm run bench and .ci/run): the scripts run from a copy of the checkout (its
 * scripts, package files and jar poms; dependencies installed unless the test says otherwise,
 * no jars cached) with a PATH that hides Java, Maven, PostgreSQL, Python, HAProxy and the
 * compilers, and no PostgreSQL under the searched root.
 * The "not root" and "root on Debian" machines are described by the script's test variables;
 * the root case puts a fake `apt-get` first on PATH that records its arguments and "installs"
 * stub commands, so the real apt-get never runs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "@atlas-ha/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const checkout = repoRoot();
/** What the copy of the checkout holds. */
const CLONE_FILES = [
  "package.json",
  "package-lock.json",
  "scripts/start.mjs",
  "scripts/setup.mjs",
  "scripts/prerequisites.mjs",
  "bench/run.mjs",
  "packages/testkit/jars/zookeeper/pom.xml",
  "packages/testkit/jars/kafka/pom.xml",
];

/** Debian's JDK package as the script picks it (no openjdk-17 from Debian 13 on). */
function javaPackage(): string {
  const release = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  const id = /^ID=(.*)$/m.exec(release)?.[1]?.replace(/"/g, "");
  const version = Number(/^VERSION_ID="?(\d+)/m.exec(release)?.[1] ?? 0);
  return id === "debian" && version >= 13 ? "openjdk-21-jdk-headless" : "openjdk-17-jdk-headless";
}

// HAProxy is also looked for in /usr/sbin (not on a user's PATH on Debian), which PATH cannot hide.
const haproxy = existsSync("/usr/sbin/haproxy") ? [] : ["haproxy"];
const TEST_PACKAGES = [
  "bash",
  javaPackage(),
  "maven",
  "postgresql",
  "python3",
  "python3-venv",
  ...haproxy,
  "systemd",
  "chromium",
  "openssl",
];

let dir: string;
let root: string;
let bin: string;
let env: Record<string, string>;

function script(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atlas-ha-prereq-"));
  bin = join(dir, "bin");
  mkdirSync(bin);
  mkdirSync(join(dir, "postgresql"));
  root = join(dir, "clone");
  for (const file of CLONE_FILES) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(checkout, file), join(root, file));
  }
  // Installed after the lock was written: npm ci would not run.
  mkdirSync(join(root, "node_modules"));
  writeFileSync(join(root, "node_modules", ".package-lock.json"), "{}\n");
  env = {
    PATH: bin,
    HOME: dir,
    ATLAS_HA_PREREQ_PG_ROOT: join(dir, "postgresql"),
    ATLAS_HA_PREREQ_UID: "1000",
    ATLAS_HA_PREREQ_DEBIAN_VERSION: join(dir, "debian_version"),
  };
  writeFileSync(join(dir, "debian_version"), "12.0\n");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(file: string, args: string[], extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(root, file), ...args], {
    cwd: root,
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("a machine without the system prerequisites, as a user who is not root", () => {
  it("npm test stops with exit 2 and prints the exact sudo apt-get command for everything it lacks", () => {
    const { code, stderr } = run("scripts/prerequisites.mjs", ["test"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `\n  sudo apt-get update && sudo apt-get install -y ${TEST_PACKAGES.join(" ")}\n`,
    );
    expect(stderr).toContain("then run npm test again.");
  });

  it("npm start asks only for what the local cluster needs: Java and Maven, not PostgreSQL or Python", () => {
    const { code, stderr, stdout } = run("scripts/start.mjs", []);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `\n  sudo apt-get update && sudo apt-get install -y bash ${javaPackage()} maven\n`,
    );
    // It stopped before installing, building or starting anything.
    expect(stdout).not.toContain("▶");
  });

  it("on a fresh clone (no node_modules yet), npm start asks first for what npm ci compiles with", () => {
    rmSync(join(root, "node_modules"), { recursive: true });
    const { code, stderr } = run("scripts/start.mjs", []);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `\n  sudo apt-get update && sudo apt-get install -y build-essential python3 bash ${javaPackage()} maven\n`,
    );
    expect(existsSync(join(root, "node_modules"))).toBe(false);
  });

  it("once the ZooKeeper and Kafka jars are cached, npm start no longer asks for Maven", () => {
    for (const component of ["zookeeper", "kafka"]) {
      const pom = readFileSync(join(checkout, "packages/testkit/jars", component, "pom.xml"));
      const hash = createHash("sha256").update(pom).digest("hex").slice(0, 12);
      const cached = join(root, ".atlas-ha", "jars", `${component}-${hash}`);
      mkdirSync(cached, { recursive: true });
      writeFileSync(join(cached, ".complete"), "");
    }
    const { code, stderr } = run("scripts/start.mjs", []);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `\n  sudo apt-get update && sudo apt-get install -y bash ${javaPackage()}\n`,
    );
  });

  it("npm start -- --backend postgres asks for PostgreSQL's server too", () => {
    const { code, stderr } = run("scripts/start.mjs", ["--backend", "postgres"]);
    expect(code).toBe(2);
    expect(stderr).toContain(`sudo apt-get install -y bash ${javaPackage()} maven postgresql\n`);
  });

  it("npm run bench -- --quick (SQLite only) does not ask for PostgreSQL; the full bench does", () => {
    const quick = run("bench/run.mjs", ["--quick"]);
    expect(quick.code).toBe(2);
    expect(quick.stderr).toContain(`sudo apt-get install -y bash ${javaPackage()} maven\n`);
    const full = run("bench/run.mjs", []);
    expect(full.code).toBe(2);
    expect(full.stderr).toContain(
      `sudo apt-get install -y bash ${javaPackage()} maven postgresql\n`,
    );
  });

  it("--missing test prints the same packages on one line for .ci/run, and installs nothing", () => {
    const { code, stdout } = run("scripts/prerequisites.mjs", ["--missing", "test"], {
      ATLAS_HA_PREREQ_UID: "0",
    });
    expect({ code, stdout }).toEqual({ code: 0, stdout: `${TEST_PACKAGES.join(" ")}\n` });
  });

  it("off Debian it names what to install instead of an apt-get command", () => {
    const { code, stderr } = run("scripts/prerequisites.mjs", ["start"], {
      ATLAS_HA_PREREQ_DEBIAN_VERSION: join(dir, "no-such-file"),
    });
    expect(code).toBe(2);
    expect(stderr).toContain("npm start needs bash, Java ≥ 17 (java), Maven (mvn)");
    expect(stderr).toContain("with your system's package manager");
    expect(stderr).not.toContain("apt-get");
  });
});

describe("a machine without the system prerequisites, as root on Debian", () => {
  /**
   * The fake apt-get records each call (its arguments and DEBIAN_FRONTEND) and, on install,
   * copies stub commands onto PATH and a stub PostgreSQL under the searched root.
   */
  function fakeAptGet(provides: boolean): string {
    const stage = join(dir, "stage");
    mkdirSync(join(stage, "bin"), { recursive: true });
    mkdirSync(join(stage, "postgresql", "15", "bin"), { recursive: true });
    script(join(stage, "bin", "java"), `echo 'openjdk version "17.0.9" 2023-10-17' >&2`);
    for (const tool of [
      "javac",
      "mvn",
      "python3",
      "bash",
      "haproxy",
      "systemd-analyze",
      "chromium",
      "openssl",
    ]) {
      script(join(stage, "bin", tool), "exit 0");
    }
    for (const tool of ["initdb", "postgres"]) {
      script(join(stage, "postgresql", "15", "bin", tool), "exit 0");
    }
    const log = join(dir, "apt-get.log");
    script(
      join(bin, "apt-get"),
      [
        `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> ${log}`,
        provides
          ? `[ "$1" = install ] && /bin/cp -p ${stage}/bin/* ${bin}/ && /bin/cp -rp ${stage}/postgresql/15 ${join(dir, "postgresql")}/`
          : "",
        "exit 0",
      ].join("\n"),
    );
    return log;
  }

  it("npm test prints the one apt-get line, runs it with the packages it lacks, and goes on", () => {
    const log = fakeAptGet(true);
    const { code, stdout, stderr } = run("scripts/prerequisites.mjs", ["test"], {
      ATLAS_HA_PREREQ_UID: "0",
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const said = stdout.split("\n").filter((line) => line.startsWith("▶"));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^▶ npm test needs bash, Java ≥ 17 \(java\), a JDK \(javac\), Maven/);
    expect(said[0]).toContain(
      `: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${TEST_PACKAGES.join(" ")}`,
    );
    expect(readFileSync(log, "utf8")).toBe(
      `DEBIAN_FRONTEND=noninteractive update\n` +
        `DEBIAN_FRONTEND=noninteractive install -y ${TEST_PACKAGES.join(" ")}\n`,
    );
  });

  it("when apt-get does not provide them, npm test stops with exit 2 and says what is still missing", () => {
    const log = fakeAptGet(false);
    const { code, stderr } = run("scripts/prerequisites.mjs", ["test"], {
      ATLAS_HA_PREREQ_UID: "0",
    });
    expect(code).toBe(2);
    expect(stderr).toContain(
      `installing ${TEST_PACKAGES.join(" ")} with apt-get did not provide it`,
    );
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("ATLAS_HA_APT=never does not install even as root: it prints the command without sudo", () => {
    const log = fakeAptGet(true);
    const { code, stderr } = run("scripts/prerequisites.mjs", ["start"], {
      ATLAS_HA_PREREQ_UID: "0",
      ATLAS_HA_APT: "never",
    });
    expect(code).toBe(2);
    expect(stderr).toContain(
      `\n  apt-get update && apt-get install -y bash ${javaPackage()} maven\n`,
    );
    expect(existsSync(log)).toBe(false);
  });
});
