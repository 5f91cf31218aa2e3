import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";

/** Linux's default range for the local ports of outgoing connections. */
const DEFAULT_EPHEMERAL: [number, number] = [32768, 60999];
/** Where the ports we hand out start, below the ephemeral range (clear of well-known ports). */
const LOWEST_PORT = 10_000;

/** The kernel's range for the local ports of outgoing connections (`ip_local_port_range`). */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!)
      return [low!, high!];
  } catch {
    // not Linux: its default
  }
  return DEFAULT_EPHEMERAL;
}

/**
 * Where free ports are picked: outside the ephemeral range, so that no outgoing connection
 * takes the port between the pick and the server's bind. A port the kernel picks (port 0) is
 * IN that range, and a Kafka broker connects to its own controller listener from an
 * ephemeral port before it binds its client listener: once in CI that connection took the
 * client port (BindException, the whole e2e suite skipped). Undefined when there is no room.
 */
function pickRange(): [number, number] | undefined {
  const [low, high] = ephemeralPortRange();
  if (low - 1 - LOWEST_PORT >= 1000) return [LOWEST_PORT, low - 1];
  if (65_535 - high - 1 >= 1000) return [high + 1, 65_535];
  return undefined;
}

/** A server bound to 127.0.0.1:`port` (0: the kernel picks), or undefined when the port is taken. */
function bind(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(undefined) : reject(error),
    );
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => resolve(server));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * `count` distinct free ports, outside the ephemeral range (pickRange). They are held open
 * together while picked, so none is handed out twice; a random pick spreads the tests that
 * run in parallel over the range.
 */
export async function freePorts(count: number): Promise<number[]> {
  const range = pickRange();
  const held: Server[] = [];
  try {
    for (let attempts = 0; held.length < count; attempts++) {
      const port =
        range === undefined || attempts >= 1000
          ? 0
          : range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
      const server = await bind(port);
      if (server) held.push(server);
    }
    return held.map((s) => {
      const address = s.address();
      return typeof address === "object" && address ? address.port : 0;
    });
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** True when nothing listens on 127.0.0.1:`port` (nor on a wildcard address covering it). */
export async function isPortFree(port: number): Promise<boolean> {
  const server = await bind(port).catch(() => undefined);
  if (!server) return false;
  await new Promise((resolve) => server.close(resolve));
  return true;
}

/** True when something accepts connections on 127.0.0.1:`port`. */
export function isListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    // A paused (SIGSTOPped) server still completes the handshake in the kernel; a silent
    // port that neither accepts nor refuses is counted as listening, to be safe.
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Socket inodes listening on `port`, from /proc/net/tcp and tcp6 (Linux only). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields: sl, local address, remote address, state (0A = LISTEN), …, inode at 9
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A" && fields[9])
        inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The process listening on `port`, best effort (needs /proc and permission to read its fds). */
export function portHolder(port: number): { pid: number; command: string } | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1]!)) {
        let command = "?";
        try {
          command = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        } catch {
          // exited meanwhile
        }
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}
