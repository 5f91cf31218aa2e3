/**
 * Bad certificate files through the real bin (`node dist/main.js --config <dir>`,
 * docs/contracts/config.md "TLS"): a wrong keystore or truststore password, a keystore without
 * a key, a key that does not match its certificate, a JKS store. Start-up fails with exit
 * code 2 and one line on stderr naming the key, never echoing a password, and nothing listens.
 * Certificates from the testkit's makeCertificates().
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort, makeCertificates, type CertificateSet } from "@atlas-ha/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../support/server-bin.js";

function run(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [atlasServerBin(), "--config", dir], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** True when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the atlas-server bin refuses bad certificate files, naming the key", () => {
  let certs: CertificateSet;
  beforeAll(async () => {
    certs = await makeCertificates({ password: "St0re-Secret" });
  }, 120_000);
  afterAll(() => certs && rmSync(certs.dir, { recursive: true, force: true }));

  const cases: {
    what: string;
    /** Files to copy into the config dir: name → a path of the certificate set. */
    files: (c: CertificateSet) => Record<string, string>;
    properties: (c: CertificateSet) => string[];
    names: string;
    mentions?: string;
  }[] = [
    {
      what: "a wrong keystore.password",
      files: (c) => ({ "atlas.p12": c.server.p12 }),
      properties: () => ["keystore.file=atlas.p12", "keystore.password=guess"],
      names: "keystore.password",
    },
    {
      what: "a truststore given as the keystore (certificates, no key)",
      files: (c) => ({ "atlas.p12": c.ca.truststore }),
      properties: (c) => ["keystore.file=atlas.p12", `keystore.password=${c.password}`],
      names: "keystore.file",
    },
    {
      what: "a JKS keystore",
      files: (c) => ({ "atlas.jks": c.server.jks }),
      properties: (c) => ["keystore.file=atlas.jks", `keystore.password=${c.password}`],
      names: "keystore.file",
      mentions: "keytool -importkeystore",
    },
    {
      what: "a wrong truststore.password with client authentication",
      files: (c) => ({ "atlas.p12": c.server.p12, "trust.p12": c.ca.truststore }),
      properties: (c) => [
        "keystore.file=atlas.p12",
        `keystore.password=${c.password}`,
        "client.auth.enabled=true",
        "truststore.file=trust.p12",
        "truststore.password=guess",
      ],
      names: "truststore.password",
    },
    {
      what: "a PEM key that is not the certificate's",
      files: (c) => ({ "key.pem": c.client.key, "cert.pem": c.server.cert }),
      properties: () => ["atlas.ssl.key.file=key.pem", "atlas.ssl.cert.file=cert.pem"],
      names: "atlas.ssl.key.file",
    },
  ];

  it.each(cases)("$what", async ({ what, files, properties, names, mentions }) => {
    const dir = join(certs.dir, what.replace(/\W+/g, "-"));
    mkdirSync(dir);
    for (const [name, source] of Object.entries(files(certs)))
      copyFileSync(source, join(dir, name));
    const port = await freePort();
    writeFileSync(
      join(dir, "atlas-application.properties"),
      [
        "atlas.enableTLS=true",
        `atlas.server.https.port=${port}`,
        "atlas.server.bind.address=127.0.0.1",
        `atlas.store.sqlite.path=${join(dir, "atlas.db")}`,
        "atlas.notification.consumer.disabled=true",
        ...properties(certs),
      ].join("\n") + "\n",
    );
    const { code, stderr } = await run(dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`${names}: `);
    if (mentions) expect(stderr).toContain(mentions);
    expect(stderr).not.toContain(certs.password);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(await listening(port)).toBe(false);
  });
});
