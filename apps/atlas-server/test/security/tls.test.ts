/**
 * TLS end to end (docs/contracts/config.md, zookeeper.md, http.md): two real atlas-server processes with `atlas.enableTLS=true`
 * and a PEM key and self-signed certificate made by the test with openssl, on one ZooKeeper
 * node. They serve HTTPS only, publish `https://host:port` in active_server_info (Knox reads
 * that format), passives redirect to it, and a failover publishes the new active's https
 * address. The testkit's launcher probes over plain HTTP, so the processes are started here.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeSessionFactory, type ZkSession } from "@atlas-ha/election-core";
import { freePorts, hashPassword, ManagedProcess, waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, request } from "../support/raw-http.js";
import { httpsCall, httpsRoles, httpsState } from "../support/https.js";
import { atlasServerBin } from "../support/server-bin.js";

const ADMIN = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

/** One HTTPS request that trusts only `ca`; redirects are not followed. */
const https = (
  url: string,
  ca: Buffer,
  options?: { method?: string; body?: string; authorization?: string },
) => httpsCall(url, { ca: [ca] }, options);

interface TlsInstance {
  name: string;
  port: number;
  url: string;
  dir: string;
  process: ManagedProcess;
}

describe("TLS on a group (1 ZooKeeper node, 2 atlas-server processes serving HTTPS with a self-signed certificate)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  let dir: string;
  let cert: Buffer;
  const instances: TlsInstance[] = [];
  const sessions: ZkSession[] = [];

  const state = (i: TlsInstance) => httpsState(i.url, { ca: [cert] });
  const roles = () =>
    httpsRoles(instances, { ca: [cert] }, "one ACTIVE and one PASSIVE over HTTPS");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "atlas-tls-"));
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
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
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "2",
      ],
      { stdio: "ignore" },
    );
    cert = readFileSync(certFile);
    const usersFile = join(dir, "users-credentials.properties");
    writeFileSync(usersFile, `admin=ADMIN::${await hashPassword("admin", atlasServerBin())}\n`, {
      mode: 0o600,
    });
    const ports = await freePorts(2);
    const properties = (id: string, port: number) =>
      [
        "atlas.server.ids=id1,id2",
        `atlas.server.address.id1=127.0.0.1:${ports[0]}`,
        `atlas.server.address.id2=127.0.0.1:${ports[1]}`,
        `atlas.server.id=${id}`,
        "atlas.server.ha.zookeeper.connect=" + zk().connectString,
        "atlas.server.ha.zookeeper.session.timeout.ms=4000",
        "atlas.enableTLS=true",
        `atlas.server.https.port=${port}`,
        // Relative to the configuration directory, as an operator's file would have them.
        "atlas.ssl.key.file=../key.pem",
        "atlas.ssl.cert.file=../cert.pem",
        `atlas.store.sqlite.path=${join(dir, "atlas.db")}`,
        `atlas.authentication.method.file.filename=${usersFile}`,
        "atlas.notification.consumer.disabled=true",
        "atlas.server.bind.address=127.0.0.1",
      ].join("\n");
    for (const [k, port] of ports.entries()) {
      const name = `atlas-tls-${k + 1}`;
      const home = join(dir, name);
      mkdirSync(home);
      writeFileSync(
        join(home, "atlas-application.properties"),
        `${properties(`id${k + 1}`, port)}\n`,
      );
      const proc = new ManagedProcess({
        name,
        command: process.execPath,
        args: [atlasServerBin(), "--config", home],
        cwd: home,
        logFile: join(home, "server.log"),
      });
      const instance = { name, port, url: `https://127.0.0.1:${port}`, dir: home, process: proc };
      instances.push(instance);
      await proc.start();
      // The first leads, so the roles are known.
      await proc.aliveUntil(
        waitFor(async () => (await state(instance)) === (k === 0 ? "ACTIVE" : "PASSIVE"), {
          timeoutMs: 60_000,
          intervalMs: 100,
          what: `${name} to answer over HTTPS`,
        }),
      );
    }
  }, 180_000);
  afterAll(async () => {
    for (const s of sessions) s.close();
    await Promise.all(instances.map((i) => i.process.stop(15_000)));
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves HTTPS with the configured certificate, and nothing over plain HTTP", async () => {
    const { active, passive } = await roles();
    const fingerprint = new X509Certificate(cert).fingerprint256;
    for (const instance of [active, passive]) {
      const status = await https(`${instance.url}/api/atlas/admin/status`, cert);
      expect(status.status).toBe(200);
      expect(status.peer.fingerprint256).toBe(fingerprint);
      const plain = await rawRequest(instance.port, [request("GET", "/api/atlas/admin/status")], {
        timeoutMs: 5000,
      });
      expect(plain.raw).not.toContain("Status");
      expect(plain.closed).toBe(true);
    }
  });

  it("publishes an https:// address in active_server_info, and both instances report it", async () => {
    const { active, passive } = await roles();
    const s = nativeSessionFactory({ connectString: zk().connectString, sessionTimeoutMs: 4000 });
    sessions.push(s);
    await new Promise<void>((resolve) => s.onEvent((e) => e === "connected" && resolve()));
    expect((await s.getData("/apache_atlas/active_server_info")).data.toString("utf8")).toBe(
      active.url,
    );
    expect(active.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const instance of [active, passive]) {
      const health = JSON.parse(
        (await https(`${instance.url}/api/atlas/admin/health`, cert)).text,
      ) as { selfAddress: string; activeAddress: string };
      expect(health).toMatchObject({ selfAddress: instance.url, activeAddress: active.url });
    }
  });

  it("a passive redirects to the https:// active (302/307), and the redirect can be followed with the certificate trusted", async () => {
    const { active, passive } = await roles();
    const get = await https(`${passive.url}/api/atlas/v2/types/typedefs?type=entity`, cert, {
      authorization: ADMIN,
    });
    expect({ status: get.status, location: get.headers.location }).toEqual({
      status: 302,
      location: `${active.url}/api/atlas/v2/types/typedefs?type=entity`,
    });
    const followed = await https(get.headers.location as string, cert, { authorization: ADMIN });
    expect(followed.status).toBe(200);
    const body = JSON.stringify({
      entity: {
        typeName: "hive_db",
        attributes: { qualifiedName: "tls@e2e", name: "tls", clusterName: "e2e" },
      },
    });
    const post = await https(`${passive.url}/api/atlas/v2/entity`, cert, {
      method: "POST",
      body,
      authorization: ADMIN,
    });
    expect({ status: post.status, location: post.headers.location }).toEqual({
      status: 307,
      location: `${active.url}/api/atlas/v2/entity`,
    });
    const created = await https(post.headers.location as string, cert, {
      method: "POST",
      body,
      authorization: ADMIN,
    });
    expect(created.status).toBe(200);
  });

  it("after a failover the new active publishes its own https:// address", async () => {
    const { active, passive } = await roles();
    await active.process.stop(15_000);
    await waitFor(async () => (await state(passive)) === "ACTIVE", {
      timeoutMs: 30_000,
      what: `${passive.name} to take over`,
    });
    const s = nativeSessionFactory({ connectString: zk().connectString, sessionTimeoutMs: 4000 });
    sessions.push(s);
    await new Promise<void>((resolve) => s.onEvent((e) => e === "connected" && resolve()));
    expect((await s.getData("/apache_atlas/active_server_info")).data.toString("utf8")).toBe(
      passive.url,
    );
    // The instances learn the address from their watch on that node, an instant later.
    const activeAddress = async (i: TlsInstance) =>
      (
        JSON.parse((await https(`${i.url}/api/atlas/admin/health`, cert)).text) as {
          activeAddress: string | null;
        }
      ).activeAddress;
    await waitFor(async () => (await activeAddress(passive)) === passive.url, {
      timeoutMs: 10_000,
      what: `${passive.name} to report itself as the active address`,
    });
    await active.process.start();
    await waitFor(
      async () =>
        (await state(active)) === "PASSIVE" && (await activeAddress(active)) === passive.url,
      { timeoutMs: 60_000, what: `${active.name} to come back PASSIVE, knowing the new active` },
    );
    const redirect = await https(`${active.url}/api/atlas/v2/types/typedefs`, cert, {
      authorization: ADMIN,
    });
    expect({ status: redirect.status, location: redirect.headers.location }).toEqual({
      status: 302,
      location: `${passive.url}/api/atlas/v2/types/typedefs`,
    });
  });
});
