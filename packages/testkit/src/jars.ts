import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PrerequisiteError } from "./errors.js";
import { stateDir, testkitDir } from "./paths.js";

const run = promisify(execFile);

export type Component = "zookeeper" | "kafka";

/** The `java` executable: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else the one on PATH. */
export function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

let javaChecked: Promise<void> | undefined;

/** Fails with a PrerequisiteError unless Java ≥ 17 runs. Checked once per process. */
export function checkJava(): Promise<void> {
  javaChecked ??= (async () => {
    let output: string;
    try {
      const { stderr, stdout } = await run(javaBin(), ["-version"]);
      output = `${stderr}${stdout}`;
    } catch {
      throw new PrerequisiteError(
        "Java ≥ 17 is needed to run ZooKeeper and Kafka for the tests, and `java` was not found " +
          "(set JAVA_HOME or put java on PATH; on Debian: apt-get install openjdk-17-jdk-headless)",
      );
    }
    const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
    const major = match ? Number(match[1] === "1" ? match[2] : match[1]) : 0;
    if (major < 17) {
      throw new PrerequisiteError(
        `Java ≥ 17 is needed to run ZooKeeper and Kafka; found ${match ? `Java ${major}` : "an unknown Java"} ` +
          `at ${javaBin()} (set JAVA_HOME to a newer JDK)`,
      );
    }
  })();
  return javaChecked;
}

async function checkMaven(): Promise<void> {
  try {
    await run("mvn", ["-v"]);
  } catch {
    throw new PrerequisiteError(
      "Maven is needed once to fetch the ZooKeeper and Kafka jars from Maven Central, and `mvn` " +
        "was not found (on Debian: apt-get install maven)",
    );
  }
}

function pomOf(component: Component): string {
  return join(testkitDir, "jars", component, "pom.xml");
}

/** Folder where the jars of this component (at this pom's content) live once fetched. */
export function jarDir(component: Component): string {
  const hash = createHash("sha256")
    .update(readFileSync(pomOf(component)))
    .digest("hex")
    .slice(0, 12);
  return join(stateDir(), "jars", `${component}-${hash}`);
}

const inFlight = new Map<Component, Promise<string>>();

/**
 * Returns the folder holding the component's server jars, fetching them with
 * `mvn dependency:copy-dependencies` the first time. Concurrent callers (several test
 * processes) each fetch into a private folder and the first rename wins, so the cache
 * is never seen half-written.
 */
export function ensureJars(component: Component): Promise<string> {
  let pending = inFlight.get(component);
  if (!pending) {
    pending = fetchJars(component);
    inFlight.set(component, pending);
    pending.catch(() => inFlight.delete(component));
  }
  return pending;
}

async function fetchJars(component: Component): Promise<string> {
  await checkJava();
  const dir = jarDir(component);
  if (existsSync(join(dir, ".complete"))) return dir;
  await checkMaven();
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await run(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        pomOf(component),
        "dependency:copy-dependencies",
        `-DoutputDirectory=${tmp}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const detail = (error as { stdout?: string }).stdout ?? String(error);
    throw new Error(`fetching the ${component} jars with Maven failed:\n${detail}`, {
      cause: error,
    });
  }
  if (!readdirSync(tmp).some((f) => f.endsWith(".jar"))) {
    throw new Error(`Maven ran but left no ${component} jar in ${tmp}`);
  }
  writeFileSync(join(tmp, ".complete"), new Date().toISOString());
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process finished first; its copy is complete, ours is redundant.
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldVersions(component, dir);
  return dir;
}

/** Removes caches of earlier pom versions of the component (not in-flight temp folders). */
function pruneOldVersions(component: Component, keep: string): void {
  const parent = dirname(keep);
  for (const entry of readdirSync(parent)) {
    const path = join(parent, entry);
    if (path !== keep && entry.startsWith(`${component}-`) && !entry.includes(".tmp-")) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** `-cp` value for a jar folder. */
export function classpath(dir: string): string {
  return join(dir, "*");
}
