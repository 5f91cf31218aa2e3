#!/usr/bin/env node
// What the machine must have beyond Node and npm, in one place: `npm start`, `npm run cluster`,
// `npm test`, `npm run bench` (through scripts/setup.mjs) and CI (.ci/run) all ask this file.
//
//   gcc, g++, make, python3   build the native modules (zookeeper, better-sqlite3) when npm ci
//               is about to run (no node_modules yet, or older than package-lock.json)
//   java ≥ 17   runs ZooKeeper and Kafka (and compiles the Java-client tests: javac)
//   mvn         fetches their jars once into .atlas-ha/jars (and the Java client for the tests)
//   initdb, postgres   PostgreSQL's server, for the postgres store (tests, full bench,
//               `npm start -- --backend postgres`); found where the testkit looks: $PG_BIN,
//               /usr/lib/postgresql/<version>/bin, `pg_config --bindir`
//   python3 + venv     the Python-client tests (npm test only)
//   haproxy, systemd-analyze   the tests of deploy/'s load-balancer example and systemd unit
//               (npm test only)
//   chromium    the HA page's browser test (npm test only)
//   openssl     makes the certificates of the TLS tests (npm test only)
//   bash        the guard process the testkit puts around every server
//
// When something is missing: as root on Debian or Ubuntu (/etc/debian_version, apt-get on
// PATH) it prints the one line it runs — `apt-get update && DEBIAN_FRONTEND=noninteractive
// apt-get install -y <packages>` — runs it and goes on; otherwise it stops with exit code 2 and
// prints the exact command to run (`sudo apt-get …` on Debian/Ubuntu, what to install elsewhere).
// ATLAS_HA_APT=never never installs, even as root.
//
//   node scripts/prerequisites.mjs <start|cluster|test|bench|setup> [its arguments…]
//   node scripts/prerequisites.mjs --missing test     the Debian packages missing, one line (CI)
//
// Tests describe the machine with ATLAS_HA_PREREQ_UID (the user id to assume),
// ATLAS_HA_PREREQ_DEBIAN_VERSION (the file that marks Debian, /etc/debian_version) and
// ATLAS_HA_PREREQ_PG_ROOT (instead of /usr/lib/postgresql), so they never run the real apt-get.
//
// Plain Node, no dependency: it runs before `npm ci` has.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const LABELS = {
  start: "npm start",
  cluster: "npm run cluster",
  test: "npm test",
  bench: "npm run bench",
  setup: "node scripts/setup.mjs",
};

/** Exit code when something is missing and was not installed. */
export const MISSING_EXIT_CODE = 2;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `name` on PATH (env.PATH), or undefined. */
function which(name, env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function javaTool(name, env) {
  return env.JAVA_HOME ? join(env.JAVA_HOME, "bin", name) : which(name, env);
}

/** The major version of the `java` the testkit would run ($JAVA_HOME/bin/java, else PATH), or 0. */
function javaMajor(env) {
  const java = javaTool("java", env);
  if (!java || !executable(java)) return 0;
  const result = spawnSync(java, ["-version"], { env, encoding: "utf8" });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr ?? ""}${result.stdout ?? ""}`);
  if (!match) return 0;
  return Number(match[1] === "1" ? match[2] : match[1]);
}

/** npm ci is about to run (scripts/setup.mjs install()): no node_modules, or older than the lock. */
export function dependenciesOutdated() {
  const lock = join(root, "package-lock.json");
  const installed = join(root, "node_modules", ".package-lock.json");
  return (
    !existsSync(installed) ||
    (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs)
  );
}

/** The ZooKeeper and Kafka jars are in the cache (packages/testkit/src/jars.ts: jarDir). */
function jarsFetched(env) {
  const state = env.ATLAS_HA_STATE_DIR ?? join(root, ".atlas-ha");
  return ["zookeeper", "kafka"].every((component) => {
    const pom = join(root, "packages", "testkit", "jars", component, "pom.xml");
    if (!existsSync(pom)) return false;
    const hash = createHash("sha256").update(readFileSync(pom)).digest("hex").slice(0, 12);
    return existsSync(join(state, "jars", `${component}-${hash}`, ".complete"));
  });
}

/** PostgreSQL's `initdb` and `postgres`, where the testkit's findPostgresBin looks. */
function postgresFound(env) {
  const dirs = [];
  if (env.PG_BIN) dirs.push(env.PG_BIN);
  const pgRoot = env.ATLAS_HA_PREREQ_PG_ROOT ?? "/usr/lib/postgresql";
  if (existsSync(pgRoot)) {
    for (const version of readdirSync(pgRoot)) dirs.push(join(pgRoot, version, "bin"));
  }
  const pgConfig = which("pg_config", env);
  if (pgConfig) {
    const result = spawnSync(pgConfig, ["--bindir"], { env, encoding: "utf8" });
    if (result.status === 0) dirs.push(result.stdout.trim());
  }
  return dirs.some((dir) => executable(join(dir, "initdb")) && executable(join(dir, "postgres")));
}

/** Debian's JDK package: 17 where Debian ships it, 21 from Debian 13 (trixie), which has no 17. */
function javaPackage() {
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    const id = /^ID=(.*)$/m.exec(release)?.[1]?.replace(/"/g, "");
    const version = Number(/^VERSION_ID="?(\d+)/m.exec(release)?.[1] ?? 0);
    if (id === "debian" && version >= 13) return "openjdk-21-jdk-headless";
  } catch {
    // no os-release: the common name
  }
  return "openjdk-17-jdk-headless";
}

/**
 * Everything a command may need: what it is, the command that shows it, the Debian package
 * that provides it, and how to tell it is there.
 */
const PREREQUISITES = {
  compiler: {
    what: "a C and C++ compiler with make",
    shows: "gcc, g++, make",
    package: () => "build-essential",
    present: (env) => ["gcc", "g++", "make"].every((tool) => which(tool, env)),
  },
  java: {
    what: "Java ≥ 17",
    shows: "java",
    package: javaPackage,
    hint: "the java found through JAVA_HOME, else PATH, is used",
    present: (env) => javaMajor(env) >= 17,
  },
  javac: {
    what: "a JDK",
    shows: "javac",
    package: javaPackage,
    present: (env) => {
      const javac = javaTool("javac", env);
      return javac !== undefined && executable(javac);
    },
  },
  maven: {
    what: "Maven",
    shows: "mvn",
    package: () => "maven",
    present: (env) => !!which("mvn", env),
  },
  postgres: {
    what: "PostgreSQL's server",
    shows: "initdb, postgres",
    package: () => "postgresql",
    hint: "set PG_BIN to the folder of initdb and postgres when they are not under /usr/lib/postgresql/<version>/bin",
    present: postgresFound,
  },
  python3: {
    what: "Python 3",
    shows: "python3",
    package: () => "python3",
    present: (env) => !!which("python3", env),
  },
  venv: {
    what: "Python's venv",
    shows: "python3 -m venv",
    package: () => "python3-venv",
    present: (env) => {
      const python = which("python3", env);
      if (!python) return false;
      return spawnSync(python, ["-c", "import ensurepip, venv"], { env }).status === 0;
    },
  },
  haproxy: {
    what: "HAProxy",
    shows: "haproxy",
    package: () => "haproxy",
    present: (env) => !!which("haproxy", env) || executable("/usr/sbin/haproxy"),
  },
  systemd: {
    what: "systemd-analyze",
    shows: "systemd-analyze",
    package: () => "systemd",
    present: (env) => !!which("systemd-analyze", env),
  },
  chromium: {
    what: "Chromium",
    shows: "chromium",
    package: () => "chromium",
    present: (env) => !!which("chromium", env),
  },
  openssl: {
    what: "OpenSSL",
    shows: "openssl",
    package: () => "openssl",
    present: (env) => !!which("openssl", env),
  },
  bash: {
    what: "bash",
    shows: "bash",
    package: () => "bash",
    present: (env) => !!which("bash", env),
  },
};

function option(args, name) {
  const index = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (index < 0) return undefined;
  return args[index].includes("=") ? args[index].slice(name.length + 1) : args[index + 1];
}

/**
 * The prerequisites `command` needs with these arguments, the build tools of npm ci first when
 * it is about to run. Maven is needed only while the jars are not cached, except by the tests
 * (the Java-client tests fetch Atlas's client with it).
 */
export function needs(command, args = [], env = process.env) {
  // node-gyp compiles the ZooKeeper client (no Linux prebuild) with them during npm ci.
  const install = dependenciesOutdated() ? ["compiler", "python3"] : [];
  return [...new Set([...install, ...needsToRun(command, args, env)])];
}

function needsToRun(command, args, env) {
  const servers = ["bash", "java", ...(jarsFetched(env) ? [] : ["maven"])];
  switch (command) {
    case "test":
      return [
        "bash",
        "java",
        "javac",
        "maven",
        "postgres",
        "python3",
        "venv",
        "haproxy",
        "systemd",
        "chromium",
        "openssl",
      ];
    case "start":
    case "cluster":
      // The local cluster keeps its store in SQLite unless told otherwise.
      return option(args, "--backend")?.toLowerCase() === "postgres"
        ? [...servers, "postgres"]
        : servers;
    case "bench":
      // --quick is SQLite only; the full suite measures PostgreSQL too.
      return args.includes("--quick") || args.includes("--list")
        ? servers
        : [...servers, "postgres"];
    case "setup":
      return servers;
    default:
      throw new Error(`unknown command ${command} (start, cluster, test, bench or setup)`);
  }
}

/** The prerequisites of `names` that are missing, in order. */
export function missing(names, env = process.env) {
  return names.filter((name) => !PREREQUISITES[name].present(env));
}

/** The Debian packages that provide `names`, each once, in order. */
export function packagesFor(names) {
  return [...new Set(names.map((name) => PREREQUISITES[name].package()))];
}

function describe(names) {
  return names
    .map((name) => {
      const { what, shows } = PREREQUISITES[name];
      return what === shows ? what : `${what} (${shows})`;
    })
    .join(", ");
}

function machine(env) {
  const uid =
    env.ATLAS_HA_PREREQ_UID !== undefined
      ? Number(env.ATLAS_HA_PREREQ_UID)
      : (process.getuid?.() ?? -1);
  const debian = existsSync(env.ATLAS_HA_PREREQ_DEBIAN_VERSION ?? "/etc/debian_version");
  return { root: uid === 0, debian, aptGet: which("apt-get", env) };
}

/**
 * Checks what `npm <label>` needs; installs what is missing when it may (root on Debian or
 * Ubuntu with apt-get), else returns the message to stop with (exit code MISSING_EXIT_CODE).
 * Returns undefined when everything is there (possibly after installing it).
 */
export function ensurePrerequisites(command, args = [], options = {}) {
  const env = options.env ?? process.env;
  const label = options.label ?? LABELS[command] ?? command;
  const out = options.out ?? process.stdout;
  const names = needs(command, args, env);
  let lacking = missing(names, env);
  if (lacking.length === 0) return undefined;

  const packages = packagesFor(lacking);
  const { root: isRoot, debian, aptGet } = machine(env);
  if (isRoot && debian && aptGet && env.ATLAS_HA_APT !== "never") {
    const list = packages.join(" ");
    out.write(
      `\n▶ ${label} needs ${describe(lacking)}: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${list}\n`,
    );
    const aptEnv = { ...env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync(aptGet, ["update"], { env: aptEnv, stdio: "inherit" });
    const install =
      update.status === 0
        ? spawnSync(aptGet, ["install", "-y", ...packages], { env: aptEnv, stdio: "inherit" })
        : update;
    lacking = missing(names, env);
    if (install.status === 0 && lacking.length === 0) return undefined;
    return (
      `${label} needs ${describe(lacking.length > 0 ? lacking : names)}, and installing ` +
      `${list} with apt-get ${install.status === 0 ? "did not provide it" : `failed (exit ${install.status})`}`
    );
  }
  if (debian) {
    const sudo = isRoot ? "" : "sudo ";
    return (
      `${label} needs ${describe(lacking)}, which this machine lacks. Install ${packages.length > 1 ? "them" : "it"} with:\n\n` +
      `  ${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(" ")}\n\n` +
      `then run ${label} again.`
    );
  }
  return (
    `${label} needs ${describe(lacking)}, which this machine lacks. Install ` +
    `${packages.length > 1 ? "them" : "it"} with your system's package manager ` +
    `(Debian's names: ${packages.join(", ")}${lacking
      .map((name) => PREREQUISITES[name].hint)
      .filter(Boolean)
      .map((hint) => `; ${hint}`)
      .join("")}), then run ${label} again.`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [first, ...rest] = process.argv.slice(2);
  if (first === "--missing") {
    const [command, ...args] = rest;
    process.stdout.write(`${packagesFor(missing(needs(command ?? "test", args))).join(" ")}\n`);
  } else {
    const problem = ensurePrerequisites(first ?? "setup", rest);
    if (problem) {
      process.stderr.write(`\n✖ ${problem}\n`);
      process.exit(MISSING_EXIT_CODE);
    }
  }
}
