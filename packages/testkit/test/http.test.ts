import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpRequest } from "../src/index.js";

describe("httpRequest", () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("sends a JSON body with its method and headers and returns status, headers and body", async () => {
    const url = await serve((req, res) => {
      let text = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (text += c));
      req.on("end", () => {
        res.setHeader(
          "x-seen",
          `${req.method} ${req.headers["content-type"]} ${req.headers.authorization} ${req.headers.connection}`,
        );
        res.statusCode = 201;
        res.end(`echo:${text}`);
      });
    });
    const answer = await httpRequest(`${url}/x`, {
      method: "POST",
      body: { a: "é" },
      headers: { authorization: "Basic abc" },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers["x-seen"]).toBe("POST application/json Basic abc close");
    expect(answer.body).toBe('echo:{"a":"é"}');
  });

  it("rejects when the whole exchange is not over by the deadline", async () => {
    const url = await serve(() => undefined); // never answers
    await expect(httpRequest(url, { timeoutMs: 200 })).rejects.toThrow(
      /no answer from .* within 200 ms/,
    );
  });
});
