/**
 * Malformed configuration through the real bin (`node dist/main.js --config <dir>`, docs/contracts/config.md):
 * start-up fails with exit code 2 and one line on stderr naming the key (or the variable that
 * overrode it), without a stack trace or a secret echoed.
 * The config module's own table test covers every key; this checks the process end to end.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@atlas-ha/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { atlasServerBin } from "../support/server-bin.js";

function run(
  dir: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [atlasServerBin(), "--config", dir], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the atlas-server bin refuses malformed configuration, naming the key", () => {
  const root = mkdtempSync(join(tmpdir(), "atlas-config-bin-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const cases: {
    what: string;
    file: string;
    env?: Record<string, string>;
    names: string;
    secret?: string;
    /** The users file's text (`users-credentials.properties` beside the configuration). */
    users?: string;
    /** Other files beside the configuration (keystores, truststores). */
    files?: Record<string, string | Buffer>;
  }[] = [
    {
      what: "a port that is not a number",
      file: "atlas.server.http.port=abc",
      names: "atlas.server.http.port",
    },
    {
      what: "an empty entry in the ids",
      file: "atlas.server.ids=id1,,id2",
      names: "atlas.server.ids",
    },
    {
      what: "an address without a port",
      file: "atlas.server.ids=id1,id2\natlas.server.address.id1=localhost\natlas.server.address.id2=localhost:21001\natlas.server.ha.zookeeper.connect=127.0.0.1:2181",
      names: "atlas.server.address.id1",
    },
    {
      what: "a SASL ACL this client cannot use",
      file: "atlas.server.ha.zookeeper.acl=sasl:atlas",
      names: "atlas.server.ha.zookeeper.acl",
    },
    {
      what: "a ZooKeeper auth without a password, never echoed",
      file: "atlas.server.ha.zookeeper.acl=digest:atlas:AAAAAAAAAAAAAAAAAAAAAAAAAAA=\natlas.server.ha.zookeeper.auth=digest:zkSecretOnly",
      names: "atlas.server.ha.zookeeper.auth",
      secret: "zkSecretOnly",
    },
    {
      what: "a store URL of the wrong scheme, password masked",
      file: "atlas.store.backend=postgres\natlas.store.postgres.url=mysql://atlas:Pg5ecret!@db.example.com/atlas",
      names: "atlas.store.postgres.url",
      secret: "Pg5ecret!",
    },
    {
      what: "TLS on without a key file",
      file: "atlas.enableTLS=true",
      names: "atlas.ssl.key.file",
    },
    {
      what: "a header timeout longer than the request timeout",
      file: "atlas.server.http.headers.timeout.ms=60000",
      names: "atlas.server.http.headers.timeout.ms",
    },
    {
      what: "a split wait that is not whole seconds",
      file: "atlas.notification.split.message.segments.wait.time.seconds=1.5",
      names: "atlas.notification.split.message.segments.wait.time.seconds",
    },
    {
      what: "an unknown log level",
      file: "atlas.server.log.level=loud",
      names: "atlas.server.log.level",
    },
    {
      what: "a users file that does not exist",
      file: "atlas.authentication.method.file.filename=missing-users.properties",
      names: "atlas.authentication.method.file.filename",
    },
    {
      what: "an Atlas SHA-256 switch that is not a boolean",
      file: "atlas.authentication.method.file.v1-validation.enabled=maybe",
      names: "atlas.authentication.method.file.v1-validation.enabled",
    },
    // The users file: a line we cannot use stops the start (Atlas would refuse that user's
    // logins only), naming the key, the file, the line and the user, never the hash.
    {
      what: "a users line without a group",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "# users\nadmin=a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e1\n",
      names: 'users-credentials.properties: line 2: the entry of "admin" has no "::"',
      secret: "a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e1",
    },
    {
      what: "a users line with an empty group",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "admin=::a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e1\n",
      names: 'line 1: the entry of "admin" has no group',
    },
    {
      what: "a password in clear instead of a hash",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "admin=ADMIN::Pl4in-Passw0rd\n",
      names: 'line 1: the hash of "admin" cannot be used',
      secret: "Pl4in-Passw0rd",
    },
    {
      what: "a SHA-256 hash cut short",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "admin=ADMIN::a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e\n",
      names: "63 hex digits",
    },
    {
      what: "a BCrypt hash whose cost would take hours per login",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "admin=ADMIN::$2a$31$abcdefghijklmnopqrstuuQaLxbHNyOkst.5hok/MxsNYsoRyHiAq\n",
      names: "BCrypt cost (31) is not from 04 to 14",
    },
    {
      what: "a truncated BCrypt hash",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users: "admin=ADMIN::$2a$10$abcdefghijklmnopqrstuuQaLxbHNyOkst.5hok\n",
      names: "not a BCrypt hash of the form",
    },
    {
      what: "an scrypt hash asking for gigabytes",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users:
        "admin=ADMIN::scrypt$1048576$32$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
      names: "needs more than 256 MiB",
    },
    {
      what: "a users line with a malformed \\u escape",
      file: "atlas.authentication.method.file.filename=users-credentials.properties",
      users:
        "adm\\u00zzin=ADMIN::a4a88c0872bf652bb9ed803ece5fd6e82354838a9bf59ab4babb1dab322154e1\n",
      names: "line 1: malformed \\uXXXX escape",
    },
    // Kafka security (docs/contracts/config.md "Kafka security"): refused before anything
    // connects, naming the key, never echoing a password.
    {
      what: "an unknown Kafka security protocol",
      file: "atlas.kafka.security.protocol=TLS",
      names: "atlas.kafka.security.protocol",
    },
    {
      what: "SASL without a mechanism (Kafka's default, Kerberos, is not supported)",
      file: "atlas.kafka.security.protocol=SASL_SSL",
      names: "atlas.kafka.sasl.mechanism: absent, so GSSAPI",
    },
    {
      what: "a sasl.jaas.config that cannot be parsed, password never echoed",
      file: 'atlas.kafka.security.protocol=SASL_SSL\natlas.kafka.sasl.mechanism=SCRAM-SHA-512\natlas.kafka.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="atlas" password="Kafka-S3cret',
      names: "atlas.kafka.sasl.jaas.config: cannot be parsed",
      secret: "Kafka-S3cret",
    },
    {
      what: "a JKS truststore, with the keytool command that converts it",
      file: "atlas.kafka.security.protocol=SSL\natlas.kafka.ssl.truststore.location=truststore.jks\natlas.kafka.ssl.truststore.password=Trust-S3cret",
      files: { "truststore.jks": Buffer.from("feedfeed0000000200000001", "hex") },
      names:
        "keytool -importkeystore -srckeystore truststore.jks -srcstoretype JKS -destkeystore truststore.p12 -deststoretype PKCS12",
      secret: "Trust-S3cret",
    },
    {
      what: "a PKCS12 keystore that is not one, password never echoed",
      file: "atlas.kafka.security.protocol=SSL\natlas.kafka.ssl.keystore.location=client.p12\natlas.kafka.ssl.keystore.password=Key-S3cret",
      files: { "client.p12": Buffer.from("3003020100", "hex") },
      names: "atlas.kafka.ssl.keystore.password",
      secret: "Key-S3cret",
    },
    {
      what: "a truststore that does not exist",
      file: "atlas.kafka.security.protocol=SASL_SSL\natlas.kafka.sasl.mechanism=PLAIN\natlas.kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=a password=b;\natlas.kafka.ssl.truststore.location=missing.p12",
      names: "atlas.kafka.ssl.truststore.location",
    },
    {
      what: "a malformed value from an environment variable",
      file: "atlas.server.http.port=21000",
      env: { ATLAS_SERVER_HTTP_PORT: "99999" },
      names: "ATLAS_SERVER_HTTP_PORT",
    },
  ];

  it.each(cases.map((c, i) => ({ ...c, i })))(
    "$what: exit 2, stderr names $names",
    async ({ i, file, env, names, secret, users, files }) => {
      const dir = join(root, `case-${i}`);
      const port = await freePort();
      mkdirSync(dir, { recursive: true });
      if (users !== undefined) writeFileSync(join(dir, "users-credentials.properties"), users);
      for (const [name, content] of Object.entries(files ?? {}))
        writeFileSync(join(dir, name), content);
      writeFileSync(
        join(dir, "atlas-application.properties"),
        `atlas.server.bind.address=127.0.0.1\natlas.store.sqlite.path=${join(dir, "atlas.db")}\n${/http\.port/.test(file) ? "" : `atlas.server.http.port=${port}\n`}${file}\n`,
      );
      const { code, stdout, stderr } = await run(dir, env);
      expect(code).toBe(2);
      expect(stderr).toContain(names);
      if (users !== undefined)
        expect(stderr).toContain("atlas.authentication.method.file.filename");
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe("");
      if (secret) expect(stderr + stdout).not.toContain(secret);
    },
  );
});
