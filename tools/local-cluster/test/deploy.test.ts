/**
 * deploy/three-hosts and deploy/haproxy, started on this machine as the README lays them out:
 * three ZooKeeper servers from `zoo.cfg`, the Kafka broker of `kafka-server.properties`
 * (over the testkit's broker defaults), PostgreSQL set up by `postgresql-setup.sql`, two
 * atlas-server instances with `atlas-application.properties` and `users-credentials.properties`,
 * and HAProxy with `haproxy.cfg` in front. Only hosts, ports and paths are changed: every
 * `host-N.example.com:PORT` becomes a free port on 127.0.0.1, every /var path a temp folder;
 * a host, port or path the test does not know fails it, so the example cannot grow what is not
 * started here. Real servers, guarded (they die with this test process).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AtlasInstance,
  atlasCall,
  atlasProcess,
  ensureJars,
  freePorts,
  guidOf,
  hiveDb,
  javaBin,
  type KafkaBroker,
  ManagedProcess,
  type PostgresServer,
  repoRoot,
  startKafka,
  startPostgres,
  waitFor,
  ZooKeeperEnsemble,
  ZooKeeperNode,
} from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../src/index.js";

const deploy = join(repoRoot(), "deploy");
const example = (file: string) => readFileSync(join(deploy, file), "utf8");
const home = mkdtempSync(join(tmpdir(), "atlas-ha-deploy-"));
const isRoot = process.getuid?.() === 0;
/** The users file's admin, with the example's password. */
const AUTH = { authorization: `Basic ${Buffer.from("admin:change-me").toString("base64")}` };

/** `host-N.example.com:PORT` of the examples → the local port standing in for it. */
const ports = new Map<string, number>();

/**
 * The example's text with its hosts, ports and paths replaced; anything unmapped left outside
 * comments throws, except on lines matching `keep`.
 */
function localize(
  text: string,
  replacements: [string | RegExp, string][] = [],
  keep?: RegExp,
): string {
  let out = text.replace(/host-(\d)\.example\.com:(\d+)(?::(\d+))?/g, (token, host, a, b) => {
    const mapped = [a, b]
      .filter((p): p is string => p !== undefined)
      .map((port) => {
        const local = ports.get(`host-${host}:${port}`);
        if (local === undefined) throw new Error(`the test does not start ${token}`);
        return local;
      });
    return `127.0.0.1:${mapped.join(":")}`;
  });
  for (const [from, to] of replacements) out = out.replace(from, to);
  const left = /.*(example\.com|\/var\/|\/run\/).*/.exec(
    out
      .split("\n")
      .filter((line) => !/^\s*(#|--)/.test(line) && !keep?.test(line))
      .join("\n"),
  );
  if (left) throw new Error(`a host or path the test does not map: ${left[0]}`);
  return out;
}

/** Java-properties text → key/value (the examples use only `key=value` lines). */
function properties(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((line) => line.trim() && !/^\s*[#!]/.test(line))
    .map((line) => {
      const i = line.indexOf("=");
      return [line.slice(0, i).trim(), line.slice(i + 1).trim()] as const;
    });
  return Object.fromEntries(entries);
}

function haproxyBin(): string {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin"]) {
    if (dir && existsSync(join(dir, "haproxy"))) return join(dir, "haproxy");
  }
  throw new Error(
    "HAProxy is needed for this test and was not found (apt-get install haproxy; npm test installs it as root on Debian: scripts/prerequisites.mjs)",
  );
}

let zookeeper: ZooKeeperEnsemble | undefined;
let kafka: KafkaBroker | undefined;
let postgres: PostgresServer | undefined;
const instances: AtlasInstance[] = [];
let haproxy: ManagedProcess | undefined;
let balancer = "";

beforeAll(async () => {
  const free = await freePorts(15);
  const take = () => free.pop()!;
  for (const host of [1, 2, 3]) {
    for (const port of [2181, 2888, 3888]) ports.set(`host-${host}:${port}`, take());
  }
  for (const host of [1, 2]) ports.set(`host-${host}:21000`, take());
  ports.set("host-3:9092", take());
  ports.set("host-3:9093", take());
  balancer = `http://127.0.0.1:${take()}`;

  // PostgreSQL (its port is the server's), set up by the example's SQL, one statement at a
  // time; it starts while ZooKeeper and Kafka do.
  const database = (async () => {
    postgres = await startPostgres();
    ports.set("host-3:5432", postgres.port);
    const sql = example("three-hosts/postgresql-setup.sql")
      .split("\n")
      .filter((line) => !line.startsWith("--"))
      .join("\n");
    for (const statement of sql.split(";").map((s) => s.trim())) {
      if (statement) await postgres.psql(statement);
    }
  })();
  database.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile

  // Three ZooKeeper servers, each with the shared zoo.cfg and its myid.
  const jars = await ensureJars("zookeeper");
  const nodes = [1, 2, 3].map((id) => {
    const dir = join(home, `zk-${id}`);
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "myid"), `${id}\n`);
    const clientPort = ports.get(`host-${id}:2181`)!;
    const config = join(dir, "zoo.cfg");
    writeFileSync(
      config,
      localize(example("three-hosts/zoo.cfg"), [
        ["clientPort=2181", `clientPort=${clientPort}`],
        ["dataDir=/var/lib/zookeeper", `dataDir=${dataDir}`],
      ]),
    );
    const process = new ManagedProcess({
      name: `zk-${id}`,
      command: javaBin(),
      args: [
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.net.preferIPv4Stack=true",
        "-cp",
        join(jars, "*"),
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        config,
      ],
      cwd: dir,
      logFile: join(dir, "server.log"),
    });
    return new ZooKeeperNode(id, clientPort, dataDir, process);
  });
  zookeeper = new ZooKeeperEnsemble(nodes, home, 2000, false);
  await Promise.all(nodes.map((n) => n.start()));

  // Kafka: the example's broker properties over the testkit's defaults, and the topic the README creates.
  kafka = await startKafka({
    port: ports.get("host-3:9092")!,
    baseDir: join(home, "kafka"),
    properties: properties(
      localize(example("three-hosts/kafka-server.properties"), [
        ["log.dirs=/var/lib/kafka/data", `log.dirs=${join(home, "kafka", "data")}`],
      ]),
    ),
  });
  await kafka.createTopic("ATLAS_HOOK", 1);
  await zookeeper.waitServing(120_000);
  await database;

  // The two instances, started together: the election, not the order, picks the active.
  const started = [1, 2].map(async (n) => {
    const dir = join(home, `atlas-${n}`);
    mkdirSync(join(dir, "log"), { recursive: true });
    const port = ports.get(`host-${n}:21000`)!;
    writeFileSync(
      join(dir, "atlas-application.properties"),
      localize(example("three-hosts/atlas-application.properties"), [
        ["atlas.server.http.port=21000", `atlas.server.http.port=${port}`],
        ["/var/log/atlas/", `${join(dir, "log")}/`],
      ]),
    );
    writeFileSync(
      join(dir, "users-credentials.properties"),
      example("three-hosts/users-credentials.properties"),
    );
    const instance = new AtlasInstance(
      `atlas-${n}`,
      port,
      dir,
      atlasProcess(`atlas-${n}`, dir, { serverBin: atlasServerBin() }),
    );
    instances.push(instance);
    await instance.start(120_000);
  });
  await Promise.all(started);
  instances.sort((a, b) => a.name.localeCompare(b.name));
});

afterAll(async () => {
  await haproxy?.stop(5_000);
  await Promise.all(instances.map((i) => i.shutdown()));
  await kafka?.shutdown();
  await zookeeper?.shutdown();
  await postgres?.shutdown();
  rmSync(home, { recursive: true, force: true });
});

async function states(): Promise<(string | undefined)[]> {
  return Promise.all(instances.map((i) => i.status()));
}

describe("the three-host example, on one machine", () => {
  it("elects one ACTIVE; the other is PASSIVE; readiness is 200 only on the active", async () => {
    await waitFor(async () => (await states()).sort().join() === "ACTIVE,PASSIVE", {
      timeoutMs: 60_000,
      what: "one ACTIVE and one PASSIVE instance",
    });
    for (const instance of instances) {
      const state = await instance.status();
      const readiness = await atlasCall(instance, "GET", "/api/atlas/admin/readiness");
      expect([state, readiness.status]).toEqual(
        state === "ACTIVE" ? ["ACTIVE", 200] : ["PASSIVE", 503],
      );
    }
  });

  it("writes through the active to PostgreSQL; the passive redirects to the active's address from the file", async () => {
    const [first, second] = await states();
    expect([first, second].sort()).toEqual(["ACTIVE", "PASSIVE"]);
    const [act, pas] =
      first === "ACTIVE" ? [instances[0]!, instances[1]!] : [instances[1]!, instances[0]!];
    const created = await atlasCall(
      act,
      "POST",
      "/api/atlas/v2/entity",
      { entity: hiveDb("deploy") },
      AUTH,
    );
    expect(created.status).toBe(200);
    const guid = guidOf(created);
    const path = `/api/atlas/v2/entity/guid/${guid}`;
    const viaPassive = await atlasCall(pas, "GET", path, undefined, AUTH);
    expect([viaPassive.status, viaPassive.headers.get("location")]).toEqual([
      302,
      `${act.url}${path}`,
    ]);
    const stored = await postgres!.psql(
      "select count(*) > 0 from pg_tables where tableowner = 'atlas'",
      {
        database: "atlas",
      },
    );
    expect(stored).toBe("t");
  });

  it("HAProxy with haproxy.cfg sends every request to the active, and to the other instance after a hand-over", async () => {
    const bin = haproxyBin();
    const dir = join(home, "haproxy");
    mkdirSync(dir, { recursive: true });
    let text = localize(
      example("haproxy/haproxy.cfg"),
      [
        ["bind :21000", `bind ${balancer.slice("http://".length)}`],
        ["/run/haproxy/admin.sock", join(dir, "admin.sock")],
      ],
      /^\s*chroot \/var\/lib\/haproxy$/,
    );
    // Only root may chroot and change user (the Debian package makes both); the rest is as written.
    if (!isRoot) text = text.replace(/^\s*(chroot|user|group) .*$/gm, "");
    const config = join(dir, "haproxy.cfg");
    writeFileSync(config, text);
    const check = spawnSync(bin, ["-c", "-f", config], { encoding: "utf8" });
    expect({ code: check.status, out: check.stdout.trim() }).toEqual({
      code: 0,
      out: "Configuration file is valid",
    });
    haproxy = new ManagedProcess({
      name: "haproxy",
      command: bin,
      args: ["-db", "-f", config],
      cwd: dir,
      logFile: join(dir, "haproxy.log"),
    });
    await haproxy.start();

    // Ten requests in a row, all answered by the active: the passive is out of the backend.
    const allActive = async () => {
      for (let i = 0; i < 10; i++) {
        const answer = await atlasCall(balancer, "GET", "/api/atlas/admin/status").catch(
          () => undefined,
        );
        if ((answer?.json as { Status?: string } | undefined)?.Status !== "ACTIVE") return false;
      }
      return true;
    };
    await waitFor(allActive, {
      timeoutMs: 30_000,
      what: "HAProxy to send every request to the active",
    });
    const created = await atlasCall(
      balancer,
      "POST",
      "/api/atlas/v2/entity",
      { entity: hiveDb("via-lb") },
      AUTH,
    );
    expect(created.status).toBe(200);
    const path = `/api/atlas/v2/entity/guid/${guidOf(created)}`;

    // A clean stop of the active (what systemctl stop sends): the other takes over and HAProxy follows.
    const [first] = await states();
    const former = first === "ACTIVE" ? instances[0]! : instances[1]!;
    await former.stop();
    await waitFor(allActive, {
      timeoutMs: 30_000,
      what: "HAProxy to send every request to the new active",
    });
    const read = await atlasCall(balancer, "GET", path, undefined, AUTH);
    expect(read.status).toBe(200);
  });
});
