/**
 * The server's own TLS (docs/contracts/config.md "TLS", docs/operations.md "Certificates"):
 * the key and certificate from PEM files or a PKCS12 keystore, the CAs of client certificates
 * from a PKCS12 truststore (or PEM file) when client authentication is on, and a reload of
 * all of them without a restart when their files change.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync, unwatchFile, watch, watchFile, type FSWatcher } from "node:fs";
import type { RequestListener } from "node:http";
import { createServer, type Server, type ServerOptions } from "node:https";
import { basename, dirname } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import forge from "node-forge";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { ConfigError, KEYS, type TlsConfig } from "../config/index.js";

/** What a handshake needs, read from the configured files; throws ConfigError naming the key. */
export function readTlsContext(tls: TlsConfig): SecureContextOptions {
  const options: SecureContextOptions = {};
  if (tls.keystore !== null) {
    options.pfx = read(KEYS.keystoreFile, tls.keystore.file);
    if (tls.keystore.password !== null) options.passphrase = tls.keystore.password;
  } else {
    options.key = read(KEYS.tlsKeyFile, tls.keyFile!);
    options.cert = read(KEYS.tlsCertFile, tls.certFile!);
  }
  if (tls.truststore !== null) options.ca = trustedCertificates(tls.truststore);
  try {
    createSecureContext(options);
  } catch (error) {
    const reason = (error as Error).message;
    if (tls.keystore !== null) {
      const key = /mac verify|password/i.test(reason) ? KEYS.keystorePassword : KEYS.keystoreFile;
      throw new ConfigError(
        key,
        `cannot open the keystore ${tls.keystore.file} (${reason}): is it a PKCS12 keystore with the server's key, and is ${KEYS.keystorePassword} its password?`,
      );
    }
    throw new ConfigError(
      KEYS.tlsKeyFile,
      `cannot use ${tls.keyFile} with ${tls.certFile} (${reason}): both PEM, unencrypted, the key of that certificate`,
    );
  }
  return options;
}

/** The first certificate the context presents: serial number and expiry, for the logs. */
function describe(options: SecureContextOptions): { serial: string; notAfter: string } | null {
  try {
    let pem: string | undefined;
    if (options.cert !== undefined) pem = options.cert.toString();
    else if (options.pfx !== undefined) {
      // The server's own certificate is the one paired with the key (a localKeyId); the
      // others are its chain.
      const bags = certBags(openPkcs12(options.pfx as Buffer, options.passphrase ?? ""));
      const own = bags.find((b) => b.attributes.localKeyId !== undefined) ?? bags[0];
      if (own?.cert) pem = forge.pki.certificateToPem(own.cert);
    }
    if (pem === undefined) return null;
    const cert = new X509Certificate(pem);
    return { serial: cert.serialNumber, notAfter: new Date(cert.validTo).toISOString() };
  } catch {
    return null;
  }
}

function read(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(key, `cannot read ${file}: ${(error as Error).message}`);
  }
}

function openPkcs12(bytes: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString("binary")));
  return forge.pkcs12.pkcs12FromAsn1(asn1, password);
}

const CERT_BAG = forge.pki.oids.certBag as string;

function certBags(p12: forge.pkcs12.Pkcs12Pfx): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType: CERT_BAG })[CERT_BAG] ?? [];
}

/**
 * The CA certificates of a truststore as PEM, which is what Node's `ca` takes. A truststore
 * keytool makes holds certificates only (no key), which Node's own PKCS12 reader (`pfx`)
 * refuses, so it is read with node-forge; a PEM bundle is taken as it is.
 */
function trustedCertificates(store: { file: string; password: string | null }): string[] {
  const bytes = read(KEYS.truststoreFile, store.file);
  const text = bytes.toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) return [bytes.toString("utf8")];
  let pems: string[];
  try {
    pems = certBags(openPkcs12(bytes, store.password ?? "")).flatMap((b) =>
      b.cert ? [forge.pki.certificateToPem(b.cert)] : [],
    );
  } catch (error) {
    const reason = (error as Error).message;
    throw new ConfigError(
      /MAC|password/i.test(reason) ? KEYS.truststorePassword : KEYS.truststoreFile,
      `cannot read the truststore ${store.file} (${reason}): a PKCS12 truststore and ${KEYS.truststorePassword} its password, or a PEM file of CA certificates`,
    );
  }
  if (pems.length === 0)
    throw new ConfigError(KEYS.truststoreFile, `${store.file} holds no certificate`);
  return pems;
}

export interface TlsServer {
  server: Server;
  /** Stops watching the files. */
  close(): void;
}

export interface TlsServerOptions {
  logger: Logger;
  registry: Registry;
  /** Quiet time after the last change before the files are read again. Default 500 ms. */
  debounceMs?: number;
  /** Interval of the stat poll that backs up fs.watch (network file systems, renames). Default 2000 ms. */
  pollMs?: number;
}

/**
 * An HTTPS server over `tls`. With client authentication on, every connection must present a
 * certificate that a truststore CA signed and that is valid now; anything else ends in the
 * handshake, before a byte of HTTP is read (so no endpoint, not even the status, answers
 * without one). When a file changes, new connections get the new context; open ones keep
 * theirs; a file that cannot be used leaves the old context in place (`tls_reload_failed`).
 */
export function createTlsServer(
  tls: TlsConfig,
  serverOptions: ServerOptions,
  callback: RequestListener,
  options: TlsServerOptions,
): TlsServer {
  const { logger } = options;
  let context = readTlsContext(tls);
  const server = createServer(
    {
      ...serverOptions,
      ...context,
      requestCert: tls.clientAuth,
      rejectUnauthorized: tls.clientAuth,
    },
    callback,
  );
  logger.info({ event: "tls_configured", clientAuth: tls.clientAuth, ...describe(context) });

  const reloads = new Counter({
    name: "atlas_tls_reloads_total",
    help: "Reloads of the server's TLS key, certificate and truststore after their files changed",
    labelNames: ["result"],
    registers: [options.registry],
  });
  const files = [tls.keyFile, tls.certFile, tls.keystore?.file, tls.truststore?.file].filter(
    (f): f is string => typeof f === "string",
  );
  const debounceMs = options.debounceMs ?? 500;
  let timer: NodeJS.Timeout | null = null;
  const reload = () => {
    timer = null;
    try {
      const next = readTlsContext(tls);
      server.setSecureContext(next);
      context = next;
      reloads.inc({ result: "ok" });
      logger.info({ event: "tls_reloaded", ...describe(context) });
    } catch (error) {
      reloads.inc({ result: "error" });
      logger.error({
        event: "tls_reload_failed",
        key: (error as ConfigError).key,
        error: (error as Error).message,
        kept: describe(context),
      });
    }
  };
  const changed = () => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  };

  // The directory, not the file: rotation tools replace files by rename, which ends a watch
  // on the file itself. The poll catches what fs.watch misses.
  const watchers: FSWatcher[] = [];
  const names = new Set(files.map((f) => basename(f)));
  for (const dir of new Set(files.map((f) => dirname(f)))) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) changed();
      });
      watcher.on("error", () => undefined);
      watchers.push(watcher);
    } catch {
      // the poll below still sees the changes
    }
  }
  const pollMs = options.pollMs ?? 2000;
  const polled = (current: { mtimeMs: number; ino: number }, previous: typeof current) => {
    if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino) changed();
  };
  for (const file of files) watchFile(file, { persistent: false, interval: pollMs }, polled);

  return {
    server,
    close() {
      if (timer !== null) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const file of files) unwatchFile(file, polled);
    },
  };
}
