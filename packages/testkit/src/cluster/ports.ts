import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { PortInUseError, type TakenPort } from "./errors.js";

/** True when nothing listens on 127.0.0.1:`port` (nor on a wildcard address covering it). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
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
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A" && fields[9]) inodes.add(fields[9]);
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

/**
 * Fails with a PortInUseError naming every taken port, its intended use and (when /proc
 * tells) the process holding it, before anything is started: a half-started cluster that
 * fails on its fourth port would be worse.
 */
export async function assertPortsFree(wanted: { port: number; use: string }[]): Promise<void> {
  const taken: TakenPort[] = [];
  for (const { port, use } of wanted) {
    if (!(await isPortFree(port))) taken.push({ port, use, holder: portHolder(port) });
  }
  if (taken.length > 0) throw new PortInUseError(taken);
}
