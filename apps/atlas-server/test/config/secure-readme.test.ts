import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { load } from "./helpers.js";

const README = new URL("../../README.md", import.meta.url);

/** The ```properties block of a `### <title>` subsection of "## Secure deployment". */
async function block(title: string): Promise<string> {
  const text = await readFile(README, "utf8");
  const section = text.slice(text.indexOf("## Secure deployment"));
  const sub = section.slice(section.indexOf(`### ${title}\n`));
  const match = /```properties\n([\s\S]*?)```/.exec(sub);
  if (!match) throw new Error(`no properties block under ### ${title}`);
  return match[1]!;
}

describe("README's secure deployment examples load as they are pasted", () => {
  it("the ZooKeeper ACL: the digest id in the ACL is the one of the auth's user and password", async () => {
    const zk = await block("ZooKeeper");
    const config = await load(
      `atlas.server.ids=id1,id2\natlas.server.address.id1=10.0.0.5:21000\natlas.server.address.id2=10.0.0.6:21000\natlas.server.ha.zookeeper.connect=zk1:2181\n${zk}`,
    );
    const { acl, auth } = config.ha.zookeeper!;
    const [, user, password] = /^digest:([^:]+):(.+)$/.exec(auth!)!;
    const digest = createHash("sha1").update(`${user}:${password}`).digest("base64");
    expect(acl).toBe(`digest:${user}:${digest}`);
  });

  it("the TLS block: Atlas's keystore keys with mutual TLS", async () => {
    const tls = await block("TLS");
    const p12 = Buffer.from([0x30, 0x82, 0x0a, 0x00]);
    const config = await load(
      `atlas.server.ids=id1,id2\natlas.server.id=id1\natlas.server.ha.zookeeper.connect=zk1:2181\n${tls}`,
      {
        extra: { "tls/atlas.p12": p12, "tls/truststore.p12": p12 },
      },
    );
    expect(config.selfAddress).toBe("https://atlas-1.example.com:21443");
    expect(config.http.tls).toMatchObject({
      clientAuth: true,
      keystore: { password: "Store-s3cret" },
      truststore: { password: "Trust-s3cret" },
    });
  });
});
