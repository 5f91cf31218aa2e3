/**
 * A cut-able TCP proxy on loopback, for network faults without root or iptables: put it
 * between a client and a server, then `cut()` the link and `restore()` it.
 *
 * A cut always ends what flows through the proxy at that moment, and then treats new
 * connections one of two ways:
 * - `refuse`: the listener closes, so a client's connect fails at once (ECONNREFUSED), as
 *   when the peer's host is up but nothing listens, or a firewall rejects;
 * - `blackhole`: a new connection is accepted and then hears nothing, whatever it sends,
 *   as when packets are dropped on the way: the client has to notice by its own timeouts.
 * Live connections are dropped (`live: "drop"`, the default: both ends see the socket close)
 * or frozen (`live: "stall"`: kept open, their bytes discarded from then on, both ways).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { TcpProxyError } from "./errors.js";

export type TcpProxyCutMode = "refuse" | "blackhole";

export interface TcpProxyCutOptions {
  /** What a new connection meets while cut. Default "refuse". */
  mode?: TcpProxyCutMode;
  /** What happens to the connections open at the cut. Default "drop". */
  live?: "drop" | "stall";
}

export interface TcpProxyOptions {
  /** Where connections go: a port on 127.0.0.1, or `{ host, port }`. */
  target: number | { host: string; port: number };
  /** The port to listen on (127.0.0.1); a free port when absent. */
  port?: number;
  /** Name in errors, e.g. "atlas-1 → zk-2". */
  name?: string;
}

export type TcpProxyState = "open" | "refusing" | "blackholing" | "closed";

/** One accepted client connection and, while the link is open, its upstream twin. */
interface Link {
  client: Socket;
  upstream: Socket | null;
  /** False once blackholed or stalled: bytes are read and forgotten. */
  flowing: boolean;
}

/** A proxy from `127.0.0.1:<port>` to a target, with `cut()`, `restore()` and `close()`. */
export class TcpProxy {
  readonly name: string;
  readonly targetHost: string;
  readonly targetPort: number;
  #port: number;
  #server: Server | null = null;
  #state: TcpProxyState = "open";
  #links = new Set<Link>();
  #accepted = 0;
  #discarded = 0;

  private constructor(options: TcpProxyOptions) {
    const target =
      typeof options.target === "number"
        ? { host: "127.0.0.1", port: options.target }
        : options.target;
    this.targetHost = target.host;
    this.targetPort = target.port;
    this.#port = options.port ?? 0;
    this.name = options.name ?? `proxy → ${target.host}:${target.port}`;
  }

  /** Starts listening; resolves once the port accepts connections. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.#listen();
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    return this.#port;
  }

  /** `127.0.0.1:<port>` */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get state(): TcpProxyState {
    return this.#state;
  }

  /** Connections open through the proxy now (blackholed ones included). */
  get connections(): number {
    return this.#links.size;
  }

  /** Bytes clients sent into a cut (blackholed or stalled) and the proxy threw away. */
  get discardedBytes(): number {
    return this.#discarded;
  }

  /** Connections accepted since the start (refused ones never are). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Cuts the link (see the file comment). Cutting a cut proxy changes the mode. */
  async cut(options: TcpProxyCutOptions = {}): Promise<void> {
    this.#checkOpen("cut");
    const mode = options.mode ?? "refuse";
    if (mode !== "refuse" && mode !== "blackhole") {
      throw new TcpProxyError(
        "TCP_PROXY_BAD_OPTION",
        `${this.name}: mode must be "refuse" or "blackhole", got ${JSON.stringify(mode)}`,
      );
    }
    this.#state = mode === "refuse" ? "refusing" : "blackholing";
    for (const link of [...this.#links]) {
      if (options.live === "stall") this.#stall(link);
      else this.#drop(link);
    }
    if (mode === "refuse") await this.#unlisten(false);
    else if (!this.#server) await this.#listen();
  }

  /**
   * Opens the link again: new connections reach the target. Connections held during the cut
   * (blackholed or stalled) are closed, so their clients reconnect rather than wait forever
   * on a stream that lost bytes.
   */
  async restore(): Promise<void> {
    this.#checkOpen("restore");
    const wasCut = this.#state !== "open";
    this.#state = "open";
    if (wasCut) for (const link of [...this.#links]) if (!link.flowing) this.#drop(link);
    if (!this.#server) await this.#listen();
  }

  /** Stops listening and closes every connection; the proxy cannot be used again. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    for (const link of [...this.#links]) this.#drop(link);
    await this.#unlisten(true);
  }

  #checkOpen(what: string): void {
    if (this.#state === "closed")
      throw new TcpProxyError("TCP_PROXY_CLOSED", `${this.name} is closed; cannot ${what} it`);
  }

  async #listen(): Promise<void> {
    const server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // Same port on restore: clients keep the address they were configured with.
      server.listen({ port: this.#port, host: "127.0.0.1" }, () => {
        server.off("error", reject);
        resolve();
      });
    }).catch((error: NodeJS.ErrnoException) => {
      throw new TcpProxyError(
        error.code === "EADDRINUSE" ? "TCP_PROXY_PORT_IN_USE" : "TCP_PROXY_LISTEN_FAILED",
        `${this.name}: cannot listen on 127.0.0.1:${this.#port}: ${error.message}`,
        { cause: error },
      );
    });
    const address = server.address();
    if (typeof address === "object" && address) this.#port = address.port;
    server.on("error", () => undefined);
    this.#server = server;
  }

  /**
   * Closes the listening socket. Stalled links stay open through a cut, so only close()
   * (which dropped them all) waits for the connections to end; a cut only waits until the
   * port no longer accepts.
   */
  async #unlisten(waitForConnections: boolean): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // The listening handle is released on the next turn of the event loop.
    await (waitForConnections ? closed : new Promise<void>((resolve) => setImmediate(resolve)));
  }

  #accept(client: Socket): void {
    this.#accepted++;
    const link: Link = { client, upstream: null, flowing: this.#state === "open" };
    this.#links.add(link);
    client.on("error", () => undefined);
    client.once("close", () => this.#drop(link));
    if (this.#state !== "open") {
      // Blackhole: read and forget, never answer (a refusing proxy does not listen at all).
      client.on("data", (chunk: Buffer) => {
        this.#discarded += chunk.length;
      });
      client.resume();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    link.upstream = upstream;
    upstream.on("error", () => undefined);
    upstream.once("close", () => this.#drop(link));
    upstream.once("connect", () => {
      if (!link.flowing) return;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  /** Keeps both sockets open but moves no byte any more, either way. */
  #stall(link: Link): void {
    link.flowing = false;
    for (const socket of [link.client, link.upstream]) {
      if (!socket) continue;
      socket.unpipe();
      socket.removeAllListeners("data");
      socket.on("data", (chunk: Buffer) => {
        if (socket === link.client) this.#discarded += chunk.length;
      });
      socket.resume();
    }
    // The target giving up on the silent link must not reach the client: nothing crosses a cut.
    link.upstream?.removeAllListeners("close");
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
    link.upstream = null;
  }
}

/** Starts a cut-able TCP proxy in front of `target` (see TcpProxy). */
export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  return TcpProxy.start(options);
}
