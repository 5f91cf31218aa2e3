import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fourLetterWord } from "./fourletter.js";
import { classpath, ensureJars, javaBin } from "./jars.js";
import { freePorts } from "./ports.js";
import { ManagedProcess } from "./process.js";
import { TcpProxy, type TcpProxyCutOptions } from "./proxy.js";
import { waitFor } from "./wait.js";

export type ZooKeeperMode = "leader" | "follower" | "standalone";

export interface ZooKeeperOptions {
  /** 1 (standalone) or 3 (a quorum ensemble). Default 1. */
  nodes?: 1 | 3;
  /**
   * ZooKeeper's tick in ms. Session expiry is checked once per tick, so a small tick makes
   * expiry precise and lets tests use short session timeouts (docs/contracts/components.md). Default 200.
   */
  tickTime?: number;
  /** Default 2 × tickTime. */
  minSessionTimeout?: number;
  /** Default 60000, so the production default (20 s) is allowed even with a small tick. */
  maxSessionTimeout?: number;
  /** Fixed client ports (the local cluster uses 2181–2183); free ports when absent. */
  clientPorts?: number[];
  /** Parent folder for the data dirs; a fresh temp folder when absent. */
  baseDir?: string;
  /**
   * ZooKeeper's syncLimit (ticks a follower may lag or be silent before the leader drops it,
   * and before it gives up on the leader). Default 10.
   */
  syncLimit?: number;
  /**
   * Make the node with the highest id (3) isolatable: its links to the other two go through
   * TCP proxies (`isolate()` / `heal()`), so it can be cut off from its quorum while its
   * clients still reach it. ZooKeeper keeps one link per pair of servers, opened by the
   * higher id, so the highest id's links are exactly those it opens. Started as a follower.
   */
  isolatable?: boolean;
  /** Max heap per node, MB. Default 128. */
  heapMb?: number;
  /** Resolves once the ensemble serves; default 60 s. */
  startTimeoutMs?: number;
  /**
   * Run the nodes detached (own session, no guard) so they outlive this process; see
   * `ProcessSpec.detached`. Default false.
   */
  detached?: boolean;
}

/** One ZooKeeper server of an ensemble, with fault injection. */
export class ZooKeeperNode {
  readonly id: number;
  readonly name: string;
  readonly clientPort: number;
  readonly dataDir: string;
  readonly process: ManagedProcess;
  /** Proxies of its links to the other servers (quorum and election ports), when isolatable. */
  readonly peerLinks: TcpProxy[];

  constructor(
    id: number,
    clientPort: number,
    dataDir: string,
    process: ManagedProcess,
    peerLinks: TcpProxy[] = [],
  ) {
    this.id = id;
    this.name = `zk-${id}`;
    this.clientPort = clientPort;
    this.dataDir = dataDir;
    this.process = process;
    this.peerLinks = peerLinks;
  }

  /**
   * Cuts this server off from the other servers while its clients still reach it. The
   * default stalls the live links (no byte moves, no socket closes), so the server notices
   * only by its own timeouts (syncLimit × tickTime) and answers reads on its own meanwhile.
   */
  async isolate(options: TcpProxyCutOptions = { mode: "blackhole", live: "stall" }): Promise<void> {
    if (this.peerLinks.length === 0) throw new Error(`${this.name} was not started isolatable`);
    await Promise.all(this.peerLinks.map((p) => p.cut(options)));
  }

  async heal(): Promise<void> {
    await Promise.all(this.peerLinks.map((p) => p.restore()));
  }

  /** `127.0.0.1:<clientPort>` */
  get connectString(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  fourLetterWord(command: string, timeoutMs = 1000): Promise<string> {
    return fourLetterWord("127.0.0.1", this.clientPort, command, timeoutMs);
  }

  /** Its role while serving clients, or null when it does not serve (no quorum, down, paused). */
  async mode(timeoutMs = 1000): Promise<ZooKeeperMode | null> {
    try {
      const answer = await this.fourLetterWord("srvr", timeoutMs);
      const match = /^Mode: (leader|follower|standalone)$/m.exec(answer);
      return (match?.[1] as ZooKeeperMode | undefined) ?? null;
    } catch {
      return null;
    }
  }

  async waitServing(timeoutMs = 30_000): Promise<ZooKeeperMode> {
    return this.process.aliveUntil(
      waitFor(() => this.mode(), { timeoutMs, what: `${this.name} to serve clients` }),
    );
  }

  async waitNotServing(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.mode()) === null, {
      timeoutMs,
      what: `${this.name} to stop serving clients`,
    });
  }

  start(): Promise<void> {
    return this.process.start();
  }
  kill(): Promise<void> {
    return this.process.kill();
  }
  stop(timeoutMs?: number): Promise<void> {
    return this.process.stop(timeoutMs);
  }
  pause(): void {
    this.process.pause();
  }
  resume(): void {
    this.process.resume();
  }
  restart(): Promise<void> {
    return this.process.restart();
  }
}

/** A running ZooKeeper ensemble of 1 or 3 nodes on 127.0.0.1. */
export class ZooKeeperEnsemble {
  readonly nodes: ZooKeeperNode[];
  readonly baseDir: string;
  readonly tickTime: number;
  #ownsBaseDir: boolean;

  constructor(nodes: ZooKeeperNode[], baseDir: string, tickTime: number, ownsBaseDir: boolean) {
    this.nodes = nodes;
    this.baseDir = baseDir;
    this.tickTime = tickTime;
    this.#ownsBaseDir = ownsBaseDir;
  }

  /** `host:port,host:port,…` of every node, for a client's connect string. */
  get connectString(): string {
    return this.nodes.map((n) => n.connectString).join(",");
  }

  node(id: number): ZooKeeperNode {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no zk-${id} in this ensemble`);
    return node;
  }

  /** The node currently leading the quorum (or the standalone node). */
  async leader(timeoutMs = 30_000): Promise<ZooKeeperNode> {
    return waitFor(
      async () => {
        for (const node of this.nodes) {
          if (!node.process.running || node.process.paused) continue;
          const mode = await node.mode();
          if (mode === "leader" || mode === "standalone") return node;
        }
        return undefined;
      },
      { timeoutMs, what: "a ZooKeeper leader" },
    );
  }

  /** Waits until every running, unpaused node serves clients. */
  async waitServing(timeoutMs = 60_000): Promise<void> {
    await Promise.all(
      this.nodes
        .filter((n) => n.process.running && !n.process.paused)
        .map((n) => n.waitServing(timeoutMs)),
    );
  }

  /**
   * Stops every node (SIGTERM, SIGKILL after a grace period) and removes the data unless
   * `keepLogs` is set, in which case the folder is left for a post-mortem and its path printed.
   */
  async shutdown(options: { keepLogs?: boolean } = {}): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process.stop(5_000)));
    await Promise.all(this.nodes.flatMap((n) => n.peerLinks.map((p) => p.close())));
    if (options.keepLogs || process.env.ATLAS_HA_KEEP_LOGS === "1") {
      process.stderr.write(`[testkit] ZooKeeper logs kept in ${this.baseDir}\n`);
    } else if (this.#ownsBaseDir) {
      rmSync(this.baseDir, { recursive: true, force: true });
    }
  }
}

const JVM_FLAGS = [
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Djava.net.preferIPv4Stack=true",
];

/** Starts a ZooKeeper ensemble and resolves once every node serves clients. */
export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperEnsemble> {
  const count = options.nodes ?? 1;
  const tickTime = options.tickTime ?? 200;
  const jars = await ensureJars("zookeeper");
  const ownsBaseDir = options.baseDir === undefined;
  const baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), "atlas-ha-zk-"));
  const ports = await freePorts(count * 3);
  const clientPorts = options.clientPorts ?? ports.slice(0, count);
  const quorumPorts = ports.slice(count, count * 2);
  const electionPorts = ports.slice(count * 2);

  const servers =
    count > 1
      ? Array.from(
          { length: count },
          (_, i) => `server.${i + 1}=127.0.0.1:${quorumPorts[i]}:${electionPorts[i]}`,
        )
      : [];
  // The isolatable node (the highest id) sees the others through proxies.
  const isolated = options.isolatable && count > 1 ? count : 0;
  const peerLinks: TcpProxy[] = [];
  const isolatedServers = [...servers];
  if (isolated) {
    for (let i = 0; i < count - 1; i++) {
      const quorum = await TcpProxy.start({
        target: quorumPorts[i]!,
        name: `zk-${isolated} → zk-${i + 1} quorum`,
      });
      const election = await TcpProxy.start({
        target: electionPorts[i]!,
        name: `zk-${isolated} → zk-${i + 1} election`,
      });
      peerLinks.push(quorum, election);
      isolatedServers[i] = `server.${i + 1}=127.0.0.1:${quorum.port}:${election.port}`;
    }
  }

  const nodes = clientPorts.map((clientPort, i) => {
    const id = i + 1;
    const dir = join(baseDir, `zk-${id}`);
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "myid"), `${id}\n`);
    const config = [
      `tickTime=${tickTime}`,
      `initLimit=20`,
      `syncLimit=${options.syncLimit ?? 10}`,
      `dataDir=${dataDir}`,
      `clientPort=${clientPort}`,
      `clientPortAddress=127.0.0.1`,
      `minSessionTimeout=${options.minSessionTimeout ?? tickTime * 2}`,
      `maxSessionTimeout=${options.maxSessionTimeout ?? 60_000}`,
      `maxClientCnxns=0`,
      `admin.enableServer=false`,
      `4lw.commands.whitelist=*`,
      `reconfigEnabled=false`,
      `standaloneEnabled=true`,
      ...(id === isolated ? isolatedServers : servers),
    ].join("\n");
    const configFile = join(dir, "zoo.cfg");
    writeFileSync(configFile, `${config}\n`);
    const process = new ManagedProcess({
      name: `zk-${id}`,
      command: javaBin(),
      args: [
        `-Xmx${options.heapMb ?? 128}m`,
        ...JVM_FLAGS,
        "-cp",
        classpath(jars),
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        configFile,
      ],
      cwd: dir,
      logFile: join(dir, "server.log"),
      detached: options.detached === true,
    });
    return new ZooKeeperNode(id, clientPort, dataDir, process, id === isolated ? peerLinks : []);
  });

  const ensemble = new ZooKeeperEnsemble(nodes, baseDir, tickTime, ownsBaseDir);
  try {
    if (isolated) {
      // The others first: they elect a leader among themselves, and the isolatable node
      // joins as a follower (a follower is the one that answers reads on its own when cut).
      await Promise.all(nodes.filter((n) => n.id !== isolated).map((n) => n.start()));
      await ensemble.waitServing(options.startTimeoutMs ?? 60_000);
      await ensemble.node(isolated).start();
    } else {
      await Promise.all(nodes.map((n) => n.start()));
    }
    await ensemble.waitServing(options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await ensemble.shutdown({ keepLogs: true });
    throw error;
  }
  return ensemble;
}
