import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load, rejection } from "./helpers.js";

// Content checks only: Java's magic numbers, and bytes that are neither (PKCS12 is read later).
const JKS = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]);
const JCEKS = Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2]);
const P12 = Buffer.from([0x30, 0x82, 0x0a, 0x00]);
const TLS = "atlas.enableTLS=true\n";

describe("Atlas's keystore keys (keystore.file, truststore.file, client.auth.enabled)", () => {
  it("a PKCS12 keystore.file with its password is the server's key, relative to the config dir", async () => {
    const config = await load(`${TLS}keystore.file=tls/atlas.p12\nkeystore.password=s3cret\n`, {
      extra: { "tls/atlas.p12": P12 },
    });
    expect(config.http.tls).toEqual({
      keyFile: null,
      certFile: null,
      keystore: { file: join(config.configDir, "tls/atlas.p12"), password: "s3cret" },
      truststore: null,
      clientAuth: false,
    });
    expect(config.selfAddress).toMatch(/^https:/);
  });

  it("the keystore password can come from KEYSTORE_PASSWORD", async () => {
    const config = await load(`${TLS}keystore.file=atlas.p12\n`, {
      extra: { "atlas.p12": P12 },
      env: { KEYSTORE_PASSWORD: "from-env" },
    });
    expect(config.http.tls?.keystore?.password).toBe("from-env");
  });

  it.each([
    ["JKS", JKS],
    ["JCEKS", JCEKS],
  ])(
    "a %s keystore fails naming keystore.file, with the keytool command that converts it",
    async (type, bytes) => {
      const error = await rejection(
        load(`${TLS}keystore.file=atlas.jks\nkeystore.password=pw\n`, {
          extra: { "atlas.jks": bytes },
        }),
      );
      expect(error.name).toBe("ConfigError");
      expect(error.key).toBe("keystore.file");
      const file = error.message.match(/-srckeystore (\S+)/)?.[1];
      expect(file).toMatch(/atlas\.jks$/);
      expect(error.message).toContain(
        `keytool -importkeystore -srckeystore ${file} -srcstoretype ${type} -destkeystore ${file!.replace(/\.jks$/, ".p12")} -deststoretype PKCS12`,
      );
      expect(error.message).not.toContain("pw");
    },
  );

  it("a JKS truststore fails naming truststore.file, with the keytool command", async () => {
    const error = await rejection(
      load(`${TLS}keystore.file=atlas.p12\nclient.auth.enabled=true\ntruststore.file=trust.jks\n`, {
        extra: { "atlas.p12": P12, "trust.jks": JKS },
      }),
    );
    expect(error.key).toBe("truststore.file");
    expect(error.message).toContain("keytool -importkeystore");
  });

  it("client authentication needs truststore.file", async () => {
    const error = await rejection(
      load(`${TLS}keystore.file=atlas.p12\nclient.auth.enabled=true\n`, {
        extra: { "atlas.p12": P12 },
      }),
    );
    expect(error.key).toBe("truststore.file");
    expect(error.message).toContain("required when client.auth.enabled=true");
  });

  it("client authentication works with the PEM keys too; truststore.file is read only with it", async () => {
    const pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
    const files = { "k.pem": pem, "c.pem": pem, "ca.pem": pem, "trust.jks": JKS };
    const on = await load(
      `${TLS}atlas.ssl.key.file=k.pem\natlas.ssl.cert.file=c.pem\nclient.auth.enabled=true\ntruststore.file=ca.pem\n`,
      { extra: files },
    );
    expect(on.http.tls).toMatchObject({
      clientAuth: true,
      truststore: { file: join(on.configDir, "ca.pem"), password: null },
    });
    // A JKS truststore left over from an Atlas configuration does not matter without client auth.
    const off = await load(
      `${TLS}atlas.ssl.key.file=k.pem\natlas.ssl.cert.file=c.pem\ntruststore.file=trust.jks\n`,
      { extra: files },
    );
    expect(off.http.tls).toMatchObject({ clientAuth: false, truststore: null });
  });

  it("PEM keys and keystore.file together are refused naming keystore.file", async () => {
    const error = await rejection(
      load(`${TLS}keystore.file=atlas.p12\natlas.ssl.key.file=k.pem\natlas.ssl.cert.file=c.pem\n`, {
        extra: { "atlas.p12": P12 },
      }),
    );
    expect(error.key).toBe("keystore.file");
    expect(error.message).toContain("not both");
  });

  it("a store type other than jks or pkcs12 is refused naming the key", async () => {
    const error = await rejection(
      load(`${TLS}keystore.file=atlas.p12\nkeystore.type=BCFKS\n`, { extra: { "atlas.p12": P12 } }),
    );
    expect(error.key).toBe("keystore.type");
    const ok = await load(`${TLS}keystore.file=atlas.p12\nkeystore.type=JKS\n`, {
      extra: { "atlas.p12": P12 },
    });
    expect(ok.http.tls?.keystore).not.toBeNull();
  });

  it("a password Atlas would read from a Hadoop credential provider is asked for by key", async () => {
    const error = await rejection(
      load(
        `${TLS}keystore.file=atlas.p12\ncert.stores.credential.provider.path=jceks://file/etc/atlas/creds.jceks\n`,
        { extra: { "atlas.p12": P12 } },
      ),
    );
    expect(error.key).toBe("keystore.password");
    expect(error.message).toContain("KEYSTORE_PASSWORD");
  });

  it("a missing keystore file fails naming keystore.file", async () => {
    const error = await rejection(load(`${TLS}keystore.file=nowhere.p12\n`));
    expect(error.key).toBe("keystore.file");
    expect(error.message).toContain("no such file");
  });
});
