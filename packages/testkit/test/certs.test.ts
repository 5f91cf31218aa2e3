import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { X509Certificate } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { makeCertificates, type CertificateSet } from "../src/index.js";

/** Resolves with the TLS error code a client trusting `ca` gets from a server using `pfx`, or "ok". */
async function handshake(pfx: string, password: string, ca: string): Promise<string> {
  const server: Server = createServer({ pfx: readFileSync(pfx), passphrase: password }, (_q, s) =>
    s.end(),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise<string>((resolve) => {
      const socket = connect({
        host: "127.0.0.1",
        port,
        ca: readFileSync(ca),
        servername: "localhost",
      });
      socket.once("secureConnect", () => {
        socket.end();
        resolve("ok");
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    server.close();
  }
}

describe("makeCertificates", () => {
  let certs: CertificateSet;
  beforeAll(async () => {
    certs = await makeCertificates();
  }, 60_000);

  it("makes a server keystore a client trusting the CA accepts", async () => {
    expect(await handshake(certs.server.p12, certs.password, certs.ca.cert)).toBe("ok");
  });

  it("makes an expired server certificate that a client refuses as expired", async () => {
    expect(await handshake(certs.expiredServer.p12, certs.password, certs.ca.cert)).toBe(
      "CERT_HAS_EXPIRED",
    );
  });

  it("makes a certificate of another CA that a client refuses as untrusted", async () => {
    expect(await handshake(certs.foreignServer.p12, certs.password, certs.ca.cert)).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/,
    );
  });

  it("makes a PKCS12 truststore Java reads as a trusted certificate, and JKS keystores", () => {
    const list = (file: string, type: string) =>
      execFileSync(
        "keytool",
        ["-list", "-keystore", file, "-storetype", type, "-storepass", certs.password],
        {
          encoding: "utf8",
        },
      );
    expect(list(certs.ca.truststore, "PKCS12")).toMatch(/trustedCertEntry/);
    expect(list(certs.server.jks, "JKS")).toMatch(/PrivateKeyEntry/);
  });
});

describe("makeCertificates issuing at once", () => {
  it("gives every certificate of one CA its own serial, however many are issued together", async () => {
    const certs = await makeCertificates();
    try {
      // Issued together, as the set's own certificates are: a serial file shared among them
      // made some of these fail ("Unable to load number from ca.srl") or repeat a serial.
      const issued = await Promise.all(
        Array.from({ length: 12 }, (_, i) => certs.issueServer(`together-${i}`)),
      );
      const serials = [certs.server, certs.client, certs.expiredServer, certs.expiredClient]
        .concat(issued)
        .map((c) => new X509Certificate(readFileSync(c.cert)).serialNumber);
      expect(new Set(serials).size).toBe(serials.length);
    } finally {
      rmSync(certs.dir, { recursive: true, force: true });
    }
  }, 120_000);
});
