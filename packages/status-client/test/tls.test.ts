// The built `atlas-status` against a real HTTPS server on 127.0.0.1 whose certificate is
// self-signed (made here with openssl): the CA is trusted through NODE_EXTRA_CA_CERTS, which
// Node's fetch honours, so a TLS group is monitored without an option of ours.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

function runBin(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

describe("atlas-status against an HTTPS instance", () => {
  let dir: string;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-status-tls-"));
    execFileSync(
      "/usr/bin/openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-days",
        "2",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    server = createServer(
      { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end('{"Status":"ACTIVE"}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports the instance UNREACHABLE when its CA is not trusted, and ACTIVE with NODE_EXTRA_CA_CERTS naming the CA", async () => {
    const untrusted = await runBin(["--json", "--retries", "0", url], {});
    expect(JSON.parse(untrusted.stdout).instances[0].state).toBe("UNREACHABLE");
    const trusted = await runBin(["--json", url], {
      NODE_EXTRA_CA_CERTS: join(dir, "cert.pem"),
    });
    expect(trusted.code).toBe(0);
    expect(JSON.parse(trusted.stdout).instances[0].state).toBe("ACTIVE");
  });
});
