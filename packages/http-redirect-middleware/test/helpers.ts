import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { haRedirect } from "../src/index.js";
import type { HaRedirectOptions, StateSnapshot } from "../src/index.js";

export const ACTIVE_ADDRESS = "http://10.0.0.7:21000";
export const SELF_ADDRESS = "http://10.0.0.5:21000";

export function passive(activeAddress: string | null = ACTIVE_ADDRESS): StateSnapshot {
  return { state: "PASSIVE", activeAddress, epoch: 3 };
}

/**
 * A real Koa app: the middleware in front of a handler that answers 200 with the raw URL it
 * saw, so a test can tell "served here" from "redirected" and see what reached the server.
 */
export function appWith(options: Partial<HaRedirectOptions> & Pick<HaRedirectOptions, "source">) {
  const app = new Koa();
  const served: string[] = [];
  const mw = haRedirect({ selfAddress: SELF_ADDRESS, ...options });
  app.use(mw);
  app.use((ctx) => {
    served.push(ctx.req.url ?? "");
    ctx.body = { servedHere: true, url: ctx.req.url };
  });
  return { app, mw, served };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends exact request bytes over a socket, for request targets an HTTP client would
 * normalise or refuse (absolute-form, `OPTIONS *`). The app runs on a real loopback server.
 */
export async function rawRequest(app: Koa, head: string): Promise<RawResponse> {
  const server = http.createServer(app.callback());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.end(Buffer.from(head, "latin1"));
    await once(socket, "close");
    const text = Buffer.concat(chunks).toString("latin1");
    const split = text.indexOf("\r\n\r\n");
    const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status: Number(statusLine.split(" ")[1]), headers, body: text.slice(split + 4) };
  } finally {
    server.close();
    server.closeAllConnections();
  }
}
