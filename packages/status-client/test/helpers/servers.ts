import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How a fake Atlas instance answers GET /api/atlas/admin/status. */
export type Behaviour =
  | { kind: "state"; state: string; httpStatus?: number }
  | { kind: "raw"; httpStatus: number; body: string; contentType?: string }
  | { kind: "redirect"; location: string; httpStatus?: number }
  /** Accepts the request and never answers. */
  | { kind: "hang" }
  /** Sends the status line, headers and the start of a body, then nothing more. */
  | { kind: "stall-body" }
  /** Answers only once `release()` has been called. */
  | { kind: "held"; state: string };

export interface FakeInstance {
  url: string;
  port: number;
  /** Paths of every request received, in order. */
  readonly requests: string[];
  set(behaviour: Behaviour): void;
  /** What GET /api/atlas/admin/health answers (200 JSON); 404 until set, as Apache Atlas. */
  setHealth(body: unknown): void;
  /** Answers every request held so far (and those to come) for `held` behaviour. */
  release(): void;
  close(): Promise<void>;
}

/** Real HTTP servers on 127.0.0.1, port 0; `closeAll()` in afterEach. */
export function serverPool() {
  const open: FakeInstance[] = [];

  async function start(initial: Behaviour, port = 0): Promise<FakeInstance> {
    let behaviour = initial;
    let released = false;
    const held: Array<() => void> = [];
    const requests: string[] = [];
    let health: unknown;

    const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
      requests.push(req.url ?? "");
      if (req.url === "/api/atlas/admin/health" && health !== undefined) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(health));
        return;
      }
      if (req.url !== "/api/atlas/admin/status") {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end('{"errorCode":"ATLAS-404-00-001"}');
        return;
      }
      const b = behaviour;
      switch (b.kind) {
        case "state":
          res
            .writeHead(b.httpStatus ?? 200, { "content-type": "application/json" })
            .end(JSON.stringify({ Status: b.state }));
          return;
        case "raw":
          res.writeHead(b.httpStatus, { "content-type": b.contentType ?? "text/html" }).end(b.body);
          return;
        case "redirect":
          res.writeHead(b.httpStatus ?? 302, { location: b.location }).end();
          return;
        case "hang":
          return;
        case "stall-body":
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"Status":');
          return;
        case "held": {
          const answer = (): void => {
            res
              .writeHead(200, { "content-type": "application/json" })
              .end(JSON.stringify({ Status: b.state }));
          };
          if (released) answer();
          else held.push(answer);
          return;
        }
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const actualPort = (server.address() as AddressInfo).port;
    const instance: FakeInstance = {
      url: `http://127.0.0.1:${actualPort}`,
      port: actualPort,
      requests,
      set(next) {
        behaviour = next;
      },
      setHealth(body) {
        health = body;
      },
      release() {
        released = true;
        for (const answer of held.splice(0)) answer();
      },
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    open.push(instance);
    return instance;
  }

  return {
    start,
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((i) => i.close()));
    },
  };
}

/** A loopback port with nothing listening on it (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `probe` until it returns truthy; throws at the deadline, naming what it waited for. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A CommandIO that keeps what the command printed. */
export function captureIO(extra: { signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      ...extra,
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
