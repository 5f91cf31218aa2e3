/**
 * Apache Atlas's official Java client (`org.apache.atlas:atlas-client-v2` from Maven Central,
 * through the small Maven project in test/clients/java) for tests that call this server the
 * way its Java users do. Every scenario is a class in test/clients/java/src/main/java/atlasha/
 * with a `main(url, user, password, runId)` that prints one JSON line per step:
 * `{"step": …, …facts}` (a failed step prints `{"step": "failed", …}`). The classpath is
 * resolved once per pom and the sources compiled once per content, in a cache folder.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { checkJava, javaBin, stateDir } from "@atlas-ha/testkit";

const run = promisify(execFile);
const PROJECT = resolve(import.meta.dirname, "../clients/java");
const SOURCES = join(PROJECT, "src", "main", "java", "atlasha");

export type JavaStep = { step: string; [fact: string]: unknown };

/** A cache folder with the classpath (Maven, once per pom) and the compiled scenarios. */
async function compiled(): Promise<string> {
  await checkJava();
  const pom = readFileSync(join(PROJECT, "pom.xml"), "utf8");
  const files = readdirSync(SOURCES)
    .filter((f) => f.endsWith(".java"))
    .sort()
    .map((f) => join(SOURCES, f));
  const hash = createHash("sha256").update(pom);
  for (const file of files) hash.update(file).update(readFileSync(file));
  const dir = join(stateDir(), "java-client", hash.digest("hex").slice(0, 16));
  if (!existsSync(join(dir, ".compiled"))) {
    // Built in a private folder and renamed into place, so test files running in parallel
    // never see half-written classes.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    const cpFile = join(tmp, "classpath.txt");
    mkdirSync(join(tmp, "classes"), { recursive: true });
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
    );
    const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "javac") : "javac";
    const cp = readFileSync(cpFile, "utf8").trim();
    await run(javac, ["-d", join(tmp, "classes"), "-cp", cp, ...files], { timeout: 180_000 });
    writeFileSync(join(tmp, ".compiled"), files.join("\n"));
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another test file got there first
    }
  }
  // The client reads atlas-application.properties from -Datlas.conf, as Atlas's own tools do.
  writeFileSync(join(dir, "atlas-application.properties"), "atlas.client.readTimeoutMSecs=60000\n");
  return dir;
}

/** Runs `atlasha.<scenario>` against `url` as admin/admin; answers its steps by name. */
export async function runJavaScenario(
  scenario: string,
  url: string,
  runId: string,
  credentials: { user: string; password: string } = { user: "admin", password: "admin" },
): Promise<Record<string, JavaStep>> {
  const dir = await compiled();
  const classpath = `${join(dir, "classes")}:${readFileSync(join(dir, "classpath.txt"), "utf8").trim()}`;
  const { stdout } = await run(
    javaBin(),
    [
      `-Datlas.conf=${dir}`,
      "-cp",
      classpath,
      `atlasha.${scenario}`,
      url,
      credentials.user,
      credentials.password,
      runId,
    ],
    { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(
      `the Java client scenario ${scenario} failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`,
    );
  });
  const steps: Record<string, JavaStep> = {};
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const step = JSON.parse(line) as JavaStep;
    steps[step.step] = step;
  }
  return steps;
}
