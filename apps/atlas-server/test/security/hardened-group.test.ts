/**
 * A group run the way an operator secures it: ZooKeeper nodes under a digest ACL with the
 * session authenticated, a users file with scrypt hashes, a password in the PostgreSQL URL.
 * Real servers: one ZooKeeper node, PostgreSQL, two atlas-server processes (logging at trace).
 *
 * - A ZooKeeper client without the credentials (the raw C client) can neither join, reorder
 *   or end the election nor rewrite `active_server_info` (docs/contracts/zookeeper.md) — not even when it got in
 *   first and squatted the root before the group ever started.
 * - A passive's redirect goes only where ZooKeeper says, whatever Host or X-Forwarded-* a
 *   request carries (docs/contracts/http.md: no open redirect).
 * - No secret reaches a log line, /health, /metrics or an error body.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nativeSessionFactory, PERM, zkDigest, type ZkSession } from "@atlas-ha/election-core";
import { atlasCall as call, atlasProcess, freePort, hiveDb, waitFor } from "@atlas-ha/testkit";
import { usePostgres, useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { atlasServerBin } from "../support/server-bin.js";
import { rawRequest, request } from "../support/raw-http.js";

const token = () => randomBytes(6).toString("hex");
const ZK_USER = "atlas";
const ZK_PASSWORD = `zkPw-${token()}`;
const PG_PASSWORD = `pgPw-${token()}`;
const ADMIN_PASSWORD = `Adm1n-${token()}`;
const WRONG_PASSWORD = `Wr0ng-${token()}`;
const ZK_ROOT = "/apache_atlas";
const ELECTION = `${ZK_ROOT}/leader_elector_path`;
const INFO = `${ZK_ROOT}/active_server_info`;

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const ADMIN = basic("admin", ADMIN_PASSWORD);

function session(connect: string, auth?: string): Promise<ZkSession> {
  const s = nativeSessionFactory({ connectString: connect, sessionTimeoutMs: 4000 });
  return new Promise((resolve, reject) => {
    s.onEvent((e) => {
      if (e !== "connected") return;
      if (auth === undefined) return resolve(s);
      s.addAuth("digest", auth).then(() => resolve(s), reject);
    });
  });
}

describe("a hardened group: ZooKeeper ACL, users file, PostgreSQL password (1 ZooKeeper node, PostgreSQL, 2 atlas-server processes)", () => {
  const zk = useZooKeeper({ nodes: 1 });
  const pg = usePostgres();
  let group: Group;
  const sessions: ZkSession[] = [];
  let squatter: ZkSession;
  let squatterNode: string;
  let failed = false;

  beforeAll(async () => {
    // Before the group ever runs, a client without the credentials squats the root: a
    // participant node that sorts first and names id1, and an active_server_info of its own.
    // Persistent, so they outlive the squatter's session: a node of a live session is never
    // deleted (it may be an instance running without ACLs; the instance refuses to start
    // instead, see election-core's acl.test.ts), but leftovers are.
    squatter = await session(zk().connectString);
    await squatter.create(ZK_ROOT, Buffer.alloc(0), "persistent");
    await squatter.create(ELECTION, Buffer.alloc(0), "persistent");
    squatterNode = await squatter.create(
      `${ELECTION}/_c_00000000-0000-0000-0000-000000000000-latch-0000000000`,
      Buffer.from("id1"),
      "persistent",
    );
    await squatter.create(INFO, Buffer.from("http://evil.example.com:80"), "persistent");

    const base = new URL(await pg().createDatabase("atlas_hardened"));
    // The testkit's PostgreSQL trusts local connections, so any password gets in: enough to
    // check where this one travels.
    base.username = "postgres";
    base.password = PG_PASSWORD;
    group = await startGroup({
      zkConnect: zk().connectString,
      adminPassword: ADMIN_PASSWORD,
      properties: {
        "atlas.server.ha.zookeeper.acl": `digest:${zkDigest(ZK_USER, ZK_PASSWORD)}`,
        "atlas.server.ha.zookeeper.auth": `digest:${ZK_USER}:${ZK_PASSWORD}`,
        "atlas.store.backend": "postgres",
        "atlas.store.postgres.url": base.toString(),
        "atlas.server.log.level": "trace",
      },
    });
  }, 120_000);
  afterEach((context) => {
    if (context.task.result?.state === "fail") failed = true;
    for (const s of sessions.splice(0)) s.close();
  });
  afterAll(async () => {
    squatter?.close();
    await group?.stop(failed);
  });

  it("a ZooKeeper client without the credentials can neither take over the election nor rewrite active_server_info", async () => {
    const { active, passives } = await group.roles();
    const trusted = await session(zk().connectString, `${ZK_USER}:${ZK_PASSWORD}`);
    sessions.push(trusted);
    // With the credentials, the layout is what docs/contracts/zookeeper.md says, and every node carries the ACL:
    // the squatter's nodes were removed when the first instance secured the root.
    // PASSIVE is also the state before joining: wait for the second participant node.
    const participants = await waitFor(
      async () => {
        const children = await trusted.getChildren(ELECTION);
        return children.length === 2 ? children : undefined;
      },
      { timeoutMs: 15_000, what: "both instances in the election" },
    );
    expect(participants.map((p) => `${ELECTION}/${p}`)).not.toContain(squatterNode);
    expect((await trusted.getChildren(ZK_ROOT)).sort()).toEqual([
      "active_server_info",
      "leader_elector_path",
    ]);
    expect((await trusted.getData(INFO)).stat.ephemeralOwner).not.toBe("0");
    expect((await trusted.getData(INFO)).data.toString("utf8")).toBe(active.url);
    const acl = [{ perms: PERM.ALL, scheme: "digest", id: zkDigest(ZK_USER, ZK_PASSWORD) }];
    for (const path of [ZK_ROOT, ELECTION, ...participants.map((p) => `${ELECTION}/${p}`)]) {
      expect({ path, acl: (await trusted.getAcl(path)).acl }).toEqual({ path, acl });
    }
    // active_server_info: the ACL plus world READ, as Atlas's ActiveInstanceState sets it.
    expect((await trusted.getAcl(INFO)).acl).toEqual([
      ...acl,
      { perms: PERM.READ, scheme: "world", id: "anyone" },
    ]);
    const leaderNode = `${ELECTION}/${[...participants].sort((a, b) => Number(a.split("-latch-")[1]) - Number(b.split("-latch-")[1]))[0]}`;

    for (const auth of [
      "squatter",
      undefined,
      `${ZK_USER}:${WRONG_PASSWORD}`,
      `intruder:${ZK_PASSWORD}`,
    ]) {
      const foreign = auth === "squatter" ? squatter : await session(zk().connectString, auth);
      if (foreign !== squatter) sessions.push(foreign);
      const refused = async (what: string, attempt: Promise<unknown>) => {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect({ auth, what, error: (error as { code?: string } | undefined)?.code }).toEqual({
          auth,
          what,
          error: "ZK_NOAUTH",
        });
      };
      await refused(
        "join ahead in the election",
        foreign.create(
          `${ELECTION}/_c_intruder-latch-`,
          Buffer.from("intruder"),
          "ephemeral_sequential",
        ),
      );
      await refused("remove the leader's node", foreign.remove(leaderNode, -1));
      await refused(
        "rewrite the leader's id",
        foreign.setData(leaderNode, Buffer.from("intruder"), -1),
      );
      await refused("list the participants", foreign.getChildren(ELECTION));
      await refused(
        "rewrite active_server_info",
        foreign.setData(INFO, Buffer.from("http://evil.example.com:80"), -1),
      );
      await refused("remove active_server_info", foreign.remove(INFO, -1));
      // Readable by anyone (Apache Knox finds the active without the group's credentials).
      expect((await foreign.getData(INFO)).data.toString("utf8")).toBe(active.url);
      await refused(
        "create a node beside it",
        foreign.create(`${ZK_ROOT}/active_server_info_2`, Buffer.from("x"), "persistent"),
      );
      await refused(
        "open the root's ACL",
        foreign.setAcl(ZK_ROOT, [{ perms: PERM.ALL, scheme: "world", id: "anyone" }], -1),
      );
      await refused("remove the election path", foreign.remove(ELECTION, -1));
    }

    // Nothing moved: same leader, same address, the passive still redirects there.
    expect(await trusted.getChildren(ELECTION)).toEqual(participants);
    expect((await trusted.getData(INFO)).data.toString("utf8")).toBe(active.url);
    expect(await active.status()).toBe("ACTIVE");
    const redirected = await call(passives[0]!, "GET", "/api/atlas/v2/types/typedefs", undefined, {
      authorization: ADMIN,
    });
    expect({ status: redirected.status, location: redirected.headers.get("location") }).toEqual({
      status: 302,
      location: `${active.url}/api/atlas/v2/types/typedefs`,
    });
  });

  it("an instance with another ZooKeeper password exits 1 with ELECTION_NOT_AUTHORIZED instead of retrying for ever; the group keeps its active", async () => {
    const { active } = await group.roles();
    // The second instance's configuration, on a port of its own, with a wrong `auth`.
    const dir = join(group.dir, "wrong-zk-password");
    mkdirSync(dir);
    const wrongZk = `zkWrong-${token()}`;
    writeFileSync(
      join(dir, "atlas-application.properties"),
      readFileSync(join(group.instances[1]!.dir, "atlas-application.properties"), "utf8")
        .replaceAll(ZK_PASSWORD, wrongZk)
        .replace(/^atlas\.server\.http\.port=.*$/m, `atlas.server.http.port=${await freePort()}`),
    );
    const refused = atlasProcess("wrong-zk-password", dir, { serverBin: atlasServerBin() });
    await refused.start();
    const exit = await Promise.race([
      refused.exited,
      // Well before the hard stop (the shutdown timeout + 5 s): its stop used to wait that
      // long for the election to step aside, a step that never ran after the fatal error.
      new Promise((resolve) => setTimeout(() => resolve("still running after 10 s"), 10_000)),
    ]);
    if (typeof exit === "string") await refused.kill();
    expect(exit).toMatchObject({ code: 1 });
    const events = readFileSync(refused.logFile, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { event?: string; code?: string });
    expect(events).toContainEqual(
      expect.objectContaining({ event: "server_cannot_serve", code: "ELECTION_NOT_AUTHORIZED" }),
    );
    expect(readFileSync(refused.logFile, "utf8")).not.toContain(wrongZk);
    expect(await active.status()).toBe("ACTIVE");
  }, 60_000);

  it("a passive redirects only to the active ZooKeeper names, whatever Host or X-Forwarded-* say (no open redirect)", async () => {
    const { active, passives } = await group.roles();
    const passive = passives[0]!;
    const evil = "evil.example.com";
    const cases: [string, string][] = [
      [
        "a forged Host",
        request("GET", "/api/atlas/v2/types/typedefs", { Authorization: ADMIN }).replace(
          "Host: 127.0.0.1",
          `Host: ${evil}`,
        ),
      ],
      [
        "X-Forwarded-Host and -Proto",
        request("GET", "/api/atlas/v2/types/typedefs", {
          Authorization: ADMIN,
          "X-Forwarded-Host": evil,
          "X-Forwarded-Proto": "https",
          "X-Forwarded-Port": "443",
        }),
      ],
      [
        "Forwarded",
        request("GET", "/api/atlas/v2/types/typedefs", {
          Authorization: ADMIN,
          Forwarded: `for=1.2.3.4;host=${evil};proto=https`,
        }),
      ],
      [
        "X-Original-URL and X-Rewrite-URL",
        request("GET", "/api/atlas/v2/types/typedefs", {
          Authorization: ADMIN,
          "X-Original-URL": `http://${evil}/`,
          "X-Rewrite-URL": `//${evil}/`,
        }),
      ],
      [
        "an absolute-form request target",
        request("GET", `http://${evil}/api/atlas/v2/types/typedefs`, { Authorization: ADMIN }),
      ],
      [
        "a path starting with //",
        request("GET", `//${evil}/api/atlas/v2/types/typedefs`, { Authorization: ADMIN }),
      ],
      [
        "a path starting with /\\",
        request("GET", `/\\${evil}/api/atlas/v2/types/typedefs`, { Authorization: ADMIN }),
      ],
      [
        "a path with user info",
        request("GET", `/@${evil}/api/atlas/v2/types/typedefs`, { Authorization: ADMIN }),
      ],
      [
        "a POST with a forged Host",
        request(
          "POST",
          "/api/atlas/v2/entity",
          { Authorization: ADMIN, "Content-Type": "application/json" },
          JSON.stringify({ entity: hiveDb("redirect") }),
        ).replace("Host: 127.0.0.1", `Host: ${evil}`),
      ],
    ];
    const activeHost = new URL(active.url).host;
    for (const [what, text] of cases) {
      const answer = await rawRequest(passive.port, [text]);
      const location = answer.headers.location ?? "";
      expect({ what, status: answer.status }).toEqual({
        what,
        status: text.startsWith("POST") ? 307 : 302,
      });
      expect({
        what,
        startsWithActive: location.startsWith(`${active.url}/`),
        host: new URL(location).host,
        body: answer.body.includes(evil),
      }).toEqual({
        what,
        startsWithActive: true,
        host: activeHost,
        body: false,
      });
    }
  });

  it("no secret reaches a log line, /health, /metrics or an answer: not the ZooKeeper or PostgreSQL password, not the users file's hash, not a password tried", async () => {
    // Exercise the paths that log: logins right and wrong, errors, a failover and a restart.
    const { active } = await group.roles();
    const answers: string[] = [];
    const keep = async (a: Promise<{ text: string }>) => answers.push((await a).text);
    await keep(
      call(active, "GET", "/api/atlas/v2/types/typedefs", undefined, { authorization: ADMIN }),
    );
    await keep(
      call(
        active,
        "POST",
        "/api/atlas/v2/entity",
        { entity: hiveDb("secrets") },
        { authorization: ADMIN },
      ),
    );
    await keep(
      call(active, "GET", "/api/atlas/admin/version", undefined, {
        authorization: basic("admin", WRONG_PASSWORD),
      }),
    );
    await keep(
      call(active, "GET", "/api/atlas/admin/version", undefined, {
        authorization: basic(WRONG_PASSWORD, WRONG_PASSWORD),
      }),
    );
    await keep(
      call(active, "GET", "/api/atlas/admin/version", undefined, {
        authorization: `Bearer ${WRONG_PASSWORD}`,
      }),
    );
    await keep(
      call(active, "POST", "/api/atlas/v2/entity", `{"password":"${WRONG_PASSWORD}"`, {
        authorization: ADMIN,
      }),
    );
    await keep(
      call(
        `${active.url}/api/atlas/v2/search/basic?query=${WRONG_PASSWORD}&password=${WRONG_PASSWORD}`,
        "GET",
        "",
        undefined,
        { authorization: ADMIN },
      ),
    );
    await active.stop();
    const next = await waitFor(
      async () => {
        for (const i of group.instances)
          if (i !== active && (await i.status()) === "ACTIVE") return i;
        return undefined;
      },
      { timeoutMs: 30_000, what: `an instance other than ${active.name} to become ACTIVE` },
    );
    await keep(call(next, "GET", "/api/atlas/admin/version", undefined, { authorization: ADMIN }));
    await active.start();
    await group.roles();
    for (const instance of group.instances) {
      for (const path of [
        "/api/atlas/admin/health",
        "/api/atlas/admin/status",
        "/api/atlas/admin/liveness",
        "/api/atlas/admin/readiness",
      ])
        await keep(call(instance, "GET", path, undefined, { authorization: "" }));
      await keep(
        call(instance, "GET", "/api/atlas/admin/metrics/prometheus", undefined, {
          authorization: ADMIN,
        }),
      );
    }

    const hash = group.adminHash;
    const secrets: Record<string, string> = {
      "ZooKeeper password": ZK_PASSWORD,
      "PostgreSQL password": PG_PASSWORD,
      "admin password": ADMIN_PASSWORD,
      "a wrong password tried": WRONG_PASSWORD,
      "users-file hash": hash,
      "users-file hash, its digest part": hash.split("$").at(-1)!,
      "users-file hash, its salt": hash.split("$").at(-2)!,
      "Authorization header": Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64"),
      "wrong Authorization header": Buffer.from(`admin:${WRONG_PASSWORD}`).toString("base64"),
      "ZooKeeper auth in digest form": zkDigest(ZK_USER, ZK_PASSWORD).split(":")[1]!,
    };
    // An answer may echo what its own request sent (a parse error quotes the body); it must
    // never carry what the server holds.
    const serverSide = [
      "ZooKeeper password",
      "PostgreSQL password",
      "admin password",
      "users-file hash",
      "users-file hash, its digest part",
      "users-file hash, its salt",
      "ZooKeeper auth in digest form",
    ];
    const logs = group.instances.map((i) => ({
      source: `${i.name} log`,
      text: readFileSync(i.logFile, "utf8"),
      secrets: Object.keys(secrets),
    }));
    const replies = answers.map((text, i) => ({
      source: `answer ${i}`,
      text,
      secrets: serverSide,
    }));
    expect(logs.reduce((n, l) => n + l.text.split("\n").length, 0)).toBeGreaterThan(100);
    const leaks: string[] = [];
    for (const { source, text, secrets: names } of [...logs, ...replies]) {
      for (const name of names)
        if (text.includes(secrets[name]!)) leaks.push(`${name} in ${source}`);
    }
    expect(leaks).toEqual([]);
  });
});
