/**
 * TLS as an Atlas site configures it (docs/contracts/config.md "TLS"): two real atlas-server
 * processes on one ZooKeeper node with Atlas's `keystore.file` (PKCS12), `truststore.file`
 * (a PKCS12 truststore made by keytool) and `client.auth.enabled=true`, certificates from the
 * testkit's makeCertificates(). Mutual TLS is required on every path; a passive's redirect
 * stays https; certificates are reloaded without a restart; and the hostile cases (no, expired
 * or foreign client certificate, plain HTTP) reach nothing and write nothing.
 */
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import {
  freePorts,
  hashPassword,
  makeCertificates,
  ManagedProcess,
  waitFor,
  type CertificateSet,
  type Credential,
} from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, request } from "../support/raw-http.js";
import { httpsCall, httpsRoles, httpsState, type HttpsClient } from "../support/https.js";
import { atlasServerBin } from "../support/server-bin.js";

const ADMIN = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

interface Client {
  ca: string[];
  /** The client certificate presented, if any. */
  credential?: Credential;
}

/** The client's files, read afresh for each request. */
const pem = (client: Client): HttpsClient => ({
  ca: client.ca.map((f) => readFileSync(f)),
  ...(client.credential
    ? { cert: readFileSync(client.credential.cert), key: readFileSync(client.credential.key) }
    : {}),
});

/** One HTTPS request; redirects are not followed. */
const https = (
  url: string,
  client: Client,
  options?: { method?: string; body?: string; authorization?: string },
) => httpsCall(url, pem(client), options);

const serialOf = (pemFile: string) => new X509Certificate(readFileSync(pemFile)).serialNumber;

interface Instance {
  name: string;
  port: number;
  url: string;
  home: string;
  /** This instance's keystore.file (a copy, so that it can be rotated alone). */
  keystore: string;
  process: ManagedProcess;
}

describe("mutual TLS from Atlas's keystore keys on a group (1 ZooKeeper node, 2 atlas-server processes, PKCS12 keystore and truststore, client.auth.enabled=true)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let certs: CertificateSet;
  let good: Client;
  const instances: Instance[] = [];

  const state = (i: Instance) => httpsState(i.url, pem(good));
  const roles = () =>
    httpsRoles(instances, pem(good), "one ACTIVE and one PASSIVE over mutual TLS");

  beforeAll(async () => {
    certs = await makeCertificates();
    good = { ca: [certs.ca.cert], credential: certs.client };
    const usersFile = join(certs.dir, "users-credentials.properties");
    writeFileSync(usersFile, `admin=ADMIN::${await hashPassword("admin", atlasServerBin())}\n`, {
      mode: 0o600,
    });
    const ports = await freePorts(2);
    for (const [k, port] of ports.entries()) {
      const name = `atlas-mtls-${k + 1}`;
      const home = join(certs.dir, name);
      mkdirSync(join(home, "tls"), { recursive: true });
      const keystore = join(home, "tls", "atlas.p12");
      copyFileSync(certs.server.p12, keystore);
      copyFileSync(certs.ca.truststore, join(home, "tls", "truststore.p12"));
      const properties = [
        "atlas.server.ids=id1,id2",
        `atlas.server.address.id1=127.0.0.1:${ports[0]}`,
        `atlas.server.address.id2=127.0.0.1:${ports[1]}`,
        `atlas.server.id=id${k + 1}`,
        `atlas.server.ha.zookeeper.connect=${zk().connectString}`,
        "atlas.server.ha.zookeeper.session.timeout.ms=4000",
        "atlas.enableTLS=true",
        `atlas.server.https.port=${port}`,
        // Atlas's names, relative to the configuration directory as in an operator's file.
        "keystore.file=tls/atlas.p12",
        `keystore.password=${certs.password}`,
        "keystore.type=PKCS12",
        "truststore.file=tls/truststore.p12",
        `truststore.password=${certs.password}`,
        "client.auth.enabled=true",
        // Room for a connection opened before a rotation and used after it.
        "atlas.server.http.headers.timeout.ms=60000",
        "atlas.server.http.request.timeout.ms=60000",
        `atlas.store.sqlite.path=${join(certs.dir, "atlas.db")}`,
        `atlas.authentication.method.file.filename=${usersFile}`,
        "atlas.notification.consumer.disabled=true",
        "atlas.server.bind.address=127.0.0.1",
      ];
      writeFileSync(join(home, "atlas-application.properties"), `${properties.join("\n")}\n`);
      const proc = new ManagedProcess({
        name,
        command: process.execPath,
        args: [atlasServerBin(), "--config", home],
        cwd: home,
        logFile: join(home, "server.log"),
      });
      const instance = {
        name,
        port,
        url: `https://127.0.0.1:${port}`,
        home,
        keystore,
        process: proc,
      };
      instances.push(instance);
      await proc.start();
      await proc.aliveUntil(
        waitFor(async () => (await state(instance)) === (k === 0 ? "ACTIVE" : "PASSIVE"), {
          timeoutMs: 60_000,
          intervalMs: 100,
          what: `${name} to answer over mutual TLS`,
        }),
      );
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.process.stop(15_000)));
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it("serves the keystore's certificate to a client presenting a certificate of the truststore's CA, on every path including the status", async () => {
    const { active, passive } = await roles();
    for (const instance of [active, passive]) {
      const status = await https(`${instance.url}/api/atlas/admin/status`, good);
      expect(status.status).toBe(200);
      expect(status.peer.serialNumber).toBe(serialOf(certs.server.cert));
    }
    const typedefs = await https(`${active.url}/api/atlas/v2/types/typedefs`, good, {
      authorization: ADMIN,
    });
    expect(typedefs.status).toBe(200);
    // The client certificate is the transport's; users still log in.
    const anonymous = await https(`${active.url}/api/atlas/v2/types/typedefs`, good);
    expect(anonymous.status).toBe(401);
  });

  it("hostile: no client certificate, an expired one, one from another CA, and plain HTTP get no answer, and nothing is written", async () => {
    const { active } = await roles();
    const qualifiedName = "mtls-intruder@e2e";
    const body = JSON.stringify({
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName, name: "intruder", clusterName: "e2e" },
      },
    });
    const post = (client: Client) =>
      https(`${active.url}/api/atlas/v2/entity`, client, {
        method: "POST",
        body,
        authorization: ADMIN,
      });
    const refused = [
      { what: "no certificate", client: { ca: [certs.ca.cert] } },
      { what: "expired", client: { ca: [certs.ca.cert], credential: certs.expiredClient } },
      { what: "another CA", client: { ca: [certs.ca.cert], credential: certs.foreignClient } },
    ];
    for (const { what, client } of refused) {
      await expect(post(client), what).rejects.toThrow();
      await expect(https(`${active.url}/api/atlas/admin/status`, client), what).rejects.toThrow();
    }
    const plain = await rawRequest(
      active.port,
      [
        request(
          "POST",
          "/api/atlas/v2/entity",
          { authorization: ADMIN, "Content-Type": "application/json" },
          body,
        ),
      ],
      { timeoutMs: 5000 },
    );
    expect(plain.raw).not.toMatch(/^HTTP\/1\.1 [23]/);
    expect(plain.closed).toBe(true);

    const lookup = () =>
      https(
        `${active.url}/api/atlas/v2/entity/uniqueAttribute/type/hive_db?attr:qualifiedName=${encodeURIComponent(qualifiedName)}`,
        good,
        { authorization: ADMIN },
      );
    expect((await lookup()).status).toBe(404);
    // The same request with the good certificate does write (so the lookup above can tell).
    expect((await post(good)).status).toBe(200);
    expect((await lookup()).status).toBe(200);
  });

  it("a passive redirects over https to the active's https address, and the redirect works with the client certificate", async () => {
    const { active, passive } = await roles();
    const get = await https(`${passive.url}/api/atlas/v2/types/typedefs?type=entity`, good, {
      authorization: ADMIN,
    });
    expect({ status: get.status, location: get.headers.location }).toEqual({
      status: 302,
      location: `${active.url}/api/atlas/v2/types/typedefs?type=entity`,
    });
    const followed = await https(get.headers.location as string, good, { authorization: ADMIN });
    expect(followed.status).toBe(200);
  });

  it("a rotated keystore is served to the next new connection without a restart, an open connection keeps its certificate, and a broken file keeps the last good one", async () => {
    const { passive } = await roles();
    const before = serialOf(certs.server.cert);
    // A connection whose handshake happened before the rotation.
    const open = connect({
      host: "127.0.0.1",
      port: passive.port,
      ca: readFileSync(certs.ca.cert),
      cert: readFileSync(certs.client.cert),
      key: readFileSync(certs.client.key),
    });
    await new Promise<void>((resolve, reject) => {
      open.once("secureConnect", resolve);
      open.once("error", reject);
    });
    expect(open.getPeerCertificate().serialNumber).toBe(before);

    const renewed = await certs.issueServer("renewed-server");
    const after = serialOf(renewed.cert);
    expect(after).not.toBe(before);
    // As rotation tools do: write aside, then rename over the old file.
    copyFileSync(renewed.p12, `${passive.keystore}.new`);
    renameSync(`${passive.keystore}.new`, passive.keystore);
    await waitFor(
      async () =>
        (await https(`${passive.url}/api/atlas/admin/status`, good).catch(() => null))?.peer
          .serialNumber === after,
      {
        timeoutMs: 15_000,
        intervalMs: 200,
        what: "new connections to get the renewed certificate",
      },
    );

    const answer = new Promise<string>((resolve, reject) => {
      let text = "";
      open.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes("\r\n\r\n")) resolve(text);
      });
      open.once("error", reject);
    });
    open.write(
      "GET /api/atlas/admin/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    expect(await answer).toMatch(/^HTTP\/1\.1 200/);
    expect(open.getPeerCertificate().serialNumber).toBe(before);
    open.destroy();

    writeFileSync(passive.keystore, "not a keystore");
    await waitFor(
      () => readFileSync(join(passive.home, "server.log"), "utf8").includes('"tls_reload_failed"'),
      { timeoutMs: 15_000, intervalMs: 200, what: "the broken keystore to be reported" },
    );
    const still = await https(`${passive.url}/api/atlas/admin/status`, good);
    expect(still.status).toBe(200);
    expect(still.peer.serialNumber).toBe(after);
    const metrics = await https(`${passive.url}/api/atlas/admin/metrics/prometheus`, good, {
      authorization: ADMIN,
    });
    expect(metrics.text).toMatch(/atlas_tls_reloads_total\{[^}]*result="error"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/atlas_tls_reloads_total\{[^}]*result="ok"[^}]*\} [1-9]/);
    const failure = readFileSync(join(passive.home, "server.log"), "utf8")
      .split("\n")
      .find((line) => line.includes('"tls_reload_failed"'))!;
    expect(failure).not.toContain(certs.password);

    // Put the good keystore back for whatever runs after.
    copyFileSync(renewed.p12, passive.keystore);
    await waitFor(
      async () =>
        (await https(`${passive.url}/api/atlas/admin/status`, good).catch(() => null))?.status ===
        200,
      { timeoutMs: 15_000, what: "the passive to serve again" },
    );
  });
});
