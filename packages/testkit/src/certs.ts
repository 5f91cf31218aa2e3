import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One certificate with its key, in every form the tests hand to servers and clients. */
export interface Credential {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (unencrypted). */
  key: string;
  /** PKCS12 keystore (key + certificate + the CA chain), protected by {@link CertificateSet.password}. */
  p12: string;
  /** JKS keystore of the same, for "JKS is refused with a clear error" tests. */
  jks: string;
}

export interface CertificateSet {
  dir: string;
  /** Password of every keystore and truststore in the set. */
  password: string;
  /** The trusted CA: `cert` PEM, `truststore` a PKCS12 truststore Java accepts, `jks` the same as JKS. */
  ca: { cert: string; key: string; truststore: string; jks: string };
  /** Signed by the CA; valid for `localhost`, `127.0.0.1` and the extra hosts. */
  server: Credential;
  /** Signed by the CA; a client certificate for mutual TLS (CN `client`). */
  client: Credential;
  /** Signed by the CA but expired (notAfter a day before notBefore). */
  expiredServer: Credential;
  expiredClient: Credential;
  /** A CA nobody trusts, and server and client certificates it signed ("wrong CA"). */
  otherCa: { cert: string; truststore: string };
  foreignServer: Credential;
  foreignClient: Credential;
  /** Another good server certificate from the same CA and hosts (an operator's rotation). */
  issueServer(name: string): Promise<Credential>;
}

export interface CertificateOptions {
  /** Folder for the files; a fresh temp folder when absent. */
  dir?: string;
  /** Extra DNS names or IP addresses for the server certificates. */
  hosts?: string[];
  /** Password of the keystores and truststores; default `atlas-ha-test`. */
  password?: string;
}

/**
 * Makes a CA, server and client certificates (good, expired, and signed by another CA) with
 * `openssl`, and their PKCS12 / JKS keystores and truststores with the JDK's `keytool`, for
 * tests of TLS and mutual TLS against real servers (Kafka, ZooKeeper, atlas-server).
 */
export async function makeCertificates(options: CertificateOptions = {}): Promise<CertificateSet> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "atlas-ha-certs-"));
  const password = options.password ?? "atlas-ha-test";
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  const keytoolBin = process.env.JAVA_HOME
    ? join(process.env.JAVA_HOME, "bin", "keytool")
    : "keytool";
  const keytool = (...args: string[]) => run(keytoolBin, args, { cwd: dir });

  async function makeCa(name: string) {
    await openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-keyout",
      path(`${name}.key`),
      "-out",
      path(`${name}.pem`),
      "-subj",
      `/CN=atlas-ha test ${name}`,
    );
    const truststore = path(`${name}-truststore.p12`);
    const jks = path(`${name}-truststore.jks`);
    for (const [file, type] of [
      [truststore, "PKCS12"],
      [jks, "JKS"],
    ] as const)
      await keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        path(`${name}.pem`),
        "-keystore",
        file,
        "-storetype",
        type,
        "-storepass",
        password,
      );
    return { cert: path(`${name}.pem`), key: path(`${name}.key`), truststore, jks };
  }

  const hosts = ["localhost", "127.0.0.1", ...(options.hosts ?? [])];
  const san = hosts
    .map((h) => (/^[\d.]+$/.test(h) || h.includes(":") ? `IP:${h}` : `DNS:${h}`))
    .join(",");

  async function issue(
    name: string,
    ca: { cert: string; key: string },
    kind: "server" | "client",
    days: number,
  ): Promise<Credential> {
    const ext = path(`${name}.ext`);
    writeFileSync(
      ext,
      kind === "server"
        ? `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`
        : `extendedKeyUsage=clientAuth\n`,
    );
    const key = path(`${name}.key`);
    const cert = path(`${name}.pem`);
    await openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      path(`${name}.csr`),
      "-subj",
      `/CN=${kind === "server" ? "localhost" : name}`,
    );
    // A negative `-days` gives notAfter before now: an expired certificate, as the tests need.
    await openssl(
      "x509",
      "-req",
      "-sha256",
      "-in",
      path(`${name}.csr`),
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      // Each certificate gets its own random serial. `-CAcreateserial` shares one `ca.srl` file
      // among the certificates issued at once, and OpenSSL truncates it before writing: a
      // concurrent reader then fails with "Unable to load number from ca.srl".
      "-set_serial",
      `0x${randomBytes(16).toString("hex")}`,
      "-out",
      cert,
      "-days",
      String(days),
      "-extfile",
      ext,
    );
    const p12 = path(`${name}.p12`);
    await openssl(
      "pkcs12",
      "-export",
      "-in",
      cert,
      "-inkey",
      key,
      "-certfile",
      ca.cert,
      "-name",
      name,
      "-out",
      p12,
      "-passout",
      `pass:${password}`,
    );
    const jks = path(`${name}.jks`);
    await keytool(
      "-importkeystore",
      "-noprompt",
      "-srckeystore",
      p12,
      "-srcstoretype",
      "PKCS12",
      "-srcstorepass",
      password,
      "-destkeystore",
      jks,
      "-deststoretype",
      "JKS",
      "-deststorepass",
      password,
      "-destkeypass",
      password,
    );
    return { cert, key, p12, jks };
  }

  const ca = await makeCa("ca");
  const other = await makeCa("other-ca");
  const [server, client, expiredServer, expiredClient, foreignServer, foreignClient] =
    await Promise.all([
      issue("server", ca, "server", 3650),
      issue("client", ca, "client", 3650),
      issue("expired-server", ca, "server", -1),
      issue("expired-client", ca, "client", -1),
      issue("foreign-server", other, "server", 3650),
      issue("foreign-client", other, "client", 3650),
    ]);
  return {
    dir,
    password,
    ca,
    server,
    client,
    expiredServer,
    expiredClient,
    otherCa: { cert: other.cert, truststore: other.truststore },
    foreignServer,
    foreignClient,
    issueServer: (name) => issue(name, ca, "server", 3650),
  };
}
