// The two sides of the `election` figure: Apache Curator's LeaderLatch (a small Java program
// in packages/election-core/bench/curator, its classpath resolved by Maven from Central and
// its source compiled with javac once per content, cached under .atlas-ha/curator-bench/) and
// election-core (packages/election-core/bench/pair.mjs). Both run two participants in one
// process, each with its own ZooKeeper session, and answer "run N" with N hand-over times.
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { checkJava, javaBin, repoRoot, stateDir } from "@atlas-ha/testkit";
import { cleanEnv } from "./processes.mjs";

const run = promisify(execFile);
const BENCH = join(repoRoot(), "packages", "election-core", "bench");
const PROJECT = join(BENCH, "curator");
const SOURCES = join(PROJECT, "src", "main", "java", "atlasha", "bench");

/** The folder with `classes/` and `classpath.txt`, built once per pom and sources. */
async function compiled() {
  await checkJava();
  const files = readdirSync(SOURCES)
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => join(SOURCES, f));
  const hash = createHash("sha256").update(readFileSync(join(PROJECT, "pom.xml")));
  for (const file of files) hash.update(file).update(readFileSync(file));
  const dir = join(stateDir(), "curator-bench", hash.digest("hex").slice(0, 16));
  if (existsSync(join(dir, ".compiled"))) return dir;
  // Built aside and renamed into place: a concurrent run never sees half-written classes.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "classes"), { recursive: true });
  const cpFile = join(tmp, "classpath.txt");
  await run(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      join(PROJECT, "pom.xml"),
      "dependency:build-classpath",
      `-Dmdep.outputFile=${cpFile}`,
    ],
    { timeout: 600_000 },
  ).catch((error) => {
    throw new Error(
      `resolving Curator's classpath with Maven failed (mvn on PATH, Maven Central reachable?):\n${error.stdout ?? error}`,
    );
  });
  const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "javac") : "javac";
  const cp = readFileSync(cpFile, "utf8").trim();
  await run(javac, ["-d", join(tmp, "classes"), "-cp", cp, ...files], { timeout: 180_000 });
  writeFileSync(join(tmp, ".compiled"), files.join("\n"));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run got there first
  }
  return dir;
}

/** A process speaking the "run N" → {"type":"samples"} protocol. */
async function handoverProcess(command, args, name) {
  const child = spawn(command, args, { env: cleanEnv(), stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const queue = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    if (!text.startsWith("{")) return;
    const message = JSON.parse(text);
    const w = waiters.shift();
    if (w) w.resolve(message);
    else queue.push(message);
  });
  void exited.then(([code, signal]) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${name} exited (${code ?? signal})`));
  });
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  const ready = await next();
  if (ready.type !== "ready") throw new Error(`${name}: unexpected ${JSON.stringify(ready)}`);
  return {
    name,
    /** N clean hand-overs; their times in ms. */
    async run(n) {
      child.stdin.write(`run ${n}\n`);
      const answer = await next();
      if (answer.type !== "samples") throw new Error(`${name}: ${JSON.stringify(answer)}`);
      return answer.samples;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end("exit\n");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Curator's LeaderLatch, two latches in one JVM on `connect`, path `/curator-bench`. */
export async function curatorPair(connect, sessionTimeoutMs) {
  const dir = await compiled();
  const classpath = `${join(dir, "classes")}:${readFileSync(join(dir, "classpath.txt"), "utf8").trim()}`;
  return handoverProcess(
    javaBin(),
    [
      "-cp",
      classpath,
      "atlasha.bench.LeaderLatchHandover",
      connect,
      String(sessionTimeoutMs),
      "/curator-bench/leader",
    ],
    "Curator LeaderLatch",
  );
}

/** election-core, two participants in one Node process on `connect`, zkRoot `/pair-bench`. */
export function electionCorePair(connect, sessionTimeoutMs) {
  return handoverProcess(
    process.execPath,
    [join(BENCH, "pair.mjs"), connect, String(sessionTimeoutMs), "/pair-bench"],
    "election-core",
  );
}
