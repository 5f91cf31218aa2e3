import { type Agent, type IncomingHttpHeaders, request } from "node:http";

export interface HttpRequestOptions {
  method?: string;
  /** A string is sent as is, anything else as JSON; either with `content-type: application/json`. */
  body?: unknown;
  headers?: Record<string, string | number>;
  /** `false` (the default): a connection of its own, closed after the answer. */
  agent?: Agent | false;
  /** Deadline for the whole exchange. Default 2000. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP request with a deadline for the whole exchange; resolves status, headers and the
 * body as text, rejects on network errors and on the deadline.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const { method = "GET", body, agent = false, timeoutMs = 2000 } = options;
  const payload =
    body === undefined
      ? undefined
      : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const headers: Record<string, string | number> = {
    ...(agent === false ? { connection: "close" } : {}),
    ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(payload);
  });
}

/**
 * A GET with its own connection (no keep-alive agent, so nothing lingers to hold a test or
 * CLI process open) and a deadline for the whole exchange.
 */
export function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return httpRequest(url, { timeoutMs });
}
