/**
 * HTTP/1.1 over a bare socket, for requests no client library sends: paths with `..` kept
 * as they are, malformed headers, bytes trickled one at a time. Reads until the server
 * closes the connection (or the deadline), so "the server hung up after N ms" is measured.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

export interface RawAnswer {
  /** Status code of the first response, or null when the server sent none. */
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent. */
  raw: string;
  /** The server closed the connection (rather than the deadline passing). */
  closed: boolean;
  /** From connect until the close (or the deadline). */
  ms: number;
}

export interface RawOptions {
  /** Pause between the parts; 0 sends them back to back. */
  gapMs?: number;
  /** Give up (and destroy the socket) after this long. Default 15 s. */
  timeoutMs?: number;
  tls?: boolean;
}

/** Sends `parts` (with `gapMs` between them) to 127.0.0.1:`port` and reads the answer until the close. */
export function rawRequest(
  port: number,
  parts: (string | Buffer)[],
  options: RawOptions = {},
): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket: Socket = options.tls
      ? connectTls({ port, host: "127.0.0.1", rejectUnauthorized: false })
      : connectTcp(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(writer);
      socket.destroy();
      resolve({
        ...parse(Buffer.concat(chunks).toString("latin1")),
        closed,
        ms: Math.round(performance.now() - started),
      });
    };
    const deadline = setTimeout(() => finish(false), options.timeoutMs ?? 15_000);
    let writer: NodeJS.Timeout | undefined;
    let next = 0;
    // A naive client: it sends everything, whatever the server answered meanwhile.
    const send = () => {
      if (done || socket.destroyed || next >= parts.length) return;
      socket.write(parts[next++]!, () => {
        if (options.gapMs) writer = setTimeout(send, options.gapMs);
        else send();
      });
    };
    socket.once(options.tls ? "secureConnect" : "connect", send);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
  });
}

function parse(text: string): Omit<RawAnswer, "closed" | "ms"> {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: match ? Number(match[1]) : null,
    headers,
    body: end < 0 ? "" : text.slice(end + 4),
    raw: text,
  };
}

/** A request as one string, `Connection: close` so the server hangs up after answering. */
export function request(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body = "",
): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (
    body !== "" &&
    headers["Content-Length"] === undefined &&
    headers["Transfer-Encoding"] === undefined
  )
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

export const ADMIN_BASIC = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

/** True when `text` looks like it carries a stack trace or a source location. */
export function hasStackTrace(text: string): boolean {
  return (
    /\bat [^\n]*\(?[^\s()]+\.(?:js|ts|cjs|mjs):\d+(?::\d+)?\)?/.test(text) ||
    /node:internal|\/node_modules\//.test(text)
  );
}
