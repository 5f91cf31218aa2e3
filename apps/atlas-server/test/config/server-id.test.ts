import { describe, expect, it } from "vitest";
import { localHostCheck } from "../../src/config/server-id.js";
import { load, machine, rejection } from "./helpers.js";

/** Two ids; `port` is this instance's HTTP port. */
function group(a: string, b: string, port = 21000, extra = ""): string {
  return [
    "atlas.server.ids=id1,id2",
    `atlas.server.address.id1=${a}`,
    `atlas.server.address.id2=${b}`,
    "atlas.server.ha.zookeeper.connect=zk:2181",
    `atlas.server.http.port=${port}`,
    extra,
  ].join("\n");
}

describe("this instance's id when atlas.server.id is absent (docs/contracts/config.md, as Atlas infers it)", () => {
  it("two instances on one host are told apart by their port", async () => {
    const text = (port: number) => group("127.0.0.1:21000", "127.0.0.1:21001", port);
    expect((await load(text(21000))).serverId).toBe("id1");
    const second = await load(text(21001));
    expect(second.serverId).toBe("id2");
    expect(second.selfAddress).toBe("http://127.0.0.1:21001");
  });

  it("the id whose host resolves to an address of this machine's interfaces, with our port", async () => {
    // atlas-a.internal → 10.0.0.5 (eth0 here), atlas-b.internal → 10.0.0.6 (elsewhere).
    expect((await load(group("atlas-a.internal:21000", "atlas-b.internal:21000"))).serverId).toBe(
      "id1",
    );
    expect((await load(group("atlas-b.internal:21000", "atlas-a.internal:21000"))).serverId).toBe(
      "id2",
    );
  });

  it("an interface address, the machine's host name and localhost count as local without DNS", async () => {
    expect((await load(group("10.0.0.5:21000", "10.0.0.6:21000"))).serverId).toBe("id1");
    expect(
      (await load(group("atlas-b.internal:21000", "ATLAS-A.example.com:21000"))).serverId,
    ).toBe("id2");
    expect((await load(group("localhost:21000", "atlas-b.internal:21000"))).serverId).toBe("id1");
    expect((await load(group("[::1]:21000", "atlas-b.internal:21000"))).serverId).toBe("id1");
  });

  it("IPv6 interface addresses compare in any spelling", async () => {
    expect((await load(group("atlas-b.internal:21000", "[fe80:0000::5]:21000"))).serverId).toBe(
      "id2",
    );
    expect((await load(group("atlas-b.internal:21000", "atlas-v6.internal:21000"))).serverId).toBe(
      "id2",
    );
  });

  it("with TLS the HTTPS port is the one that must match", async () => {
    const text = group(
      "localhost:21000",
      "localhost:21443",
      21000,
      "atlas.enableTLS=true\natlas.ssl.key.file=k\natlas.ssl.cert.file=c",
    );
    const config = await load(text, { extra: { k: "key", c: "cert" } });
    expect(config.serverId).toBe("id2");
    expect(config.selfAddress).toBe("https://localhost:21443");
  });

  it("no match fails naming atlas.server.id, listing the addresses and saying how to fix it", async () => {
    const error = await rejection(
      load(group("atlas-b.internal:21000", "unknown.example.org:21000")),
    );
    expect(error.name).toBe("ConfigError");
    expect(error.key).toBe("atlas.server.id");
    expect(error.message).toContain("port 21000");
    expect(error.message).toContain("id1=atlas-b.internal:21000, id2=unknown.example.org:21000");
    expect(error.message).toContain("set atlas.server.id=<id>");
  });

  it("a local address with another port is no match", async () => {
    const error = await rejection(load(group("localhost:21001", "atlas-b.internal:21000")));
    expect(error.key).toBe("atlas.server.id");
  });

  it("two matches fail listing both, where Atlas would silently take the first", async () => {
    const error = await rejection(load(group("localhost:21000", "127.0.0.1:21000")));
    expect(error.key).toBe("atlas.server.id");
    expect(error.message).toContain("several ids");
    expect(error.message).toContain("id1=localhost:21000, id2=127.0.0.1:21000");
  });

  it("only addresses with this instance's port are looked up in DNS", async () => {
    const looked: string[] = [];
    const lookup = async (host: string) => {
      looked.push(host);
      return machine.lookup(host);
    };
    await load(group("atlas-a.internal:21000", "atlas-b.internal:21001"), { lookup });
    expect(looked).toEqual(["atlas-a.internal"]);
  });
});

describe("atlas.server.id set explicitly", () => {
  it("wins without any address check (NAT, containers)", async () => {
    const config = await load(
      group("atlas-b.internal:31000", "unknown.example.org:31001", 21000, "atlas.server.id=id2"),
    );
    expect(config.serverId).toBe("id2");
    expect(config.selfAddress).toBe("http://unknown.example.org:31001");
  });

  it("can come from ATLAS_SERVER_ID", async () => {
    const config = await load(group("localhost:21000", "127.0.0.1:21000"), {
      env: { ATLAS_SERVER_ID: "id2" },
    });
    expect(config.serverId).toBe("id2");
  });

  it("must be one of the listed ids", async () => {
    const error = await rejection(
      load(group("localhost:21000", "localhost:21001", 21000, "atlas.server.id=ID1")),
    );
    expect(error.key).toBe("atlas.server.id");
    expect(error.message).toContain('"ID1" is not one of atlas.server.ids (id1, id2)');
  });

  it("is used as is when HA is off and no ids are listed", async () => {
    const config = await load("atlas.server.id=standalone-7\natlas.server.http.port=21005");
    expect(config.serverId).toBe("standalone-7");
    expect(config.selfAddress).toBe("http://localhost:21005");
  });
});

describe("localHostCheck", () => {
  it("treats a name that does not resolve as not local", async () => {
    const isLocal = localHostCheck(machine);
    expect(await isLocal("no-such-host.invalid")).toBe(false);
    expect(await isLocal("atlas-b.internal")).toBe(false);
    expect(await isLocal("atlas-a.internal")).toBe(true);
    expect(await isLocal("127.3.4.5")).toBe(true);
    expect(await isLocal("::ffff:10.0.0.5")).toBe(true);
    expect(await isLocal("10.0.0.7")).toBe(false);
  });

  it("uses the real machine by default: localhost and its own interfaces are local", async () => {
    const { networkInterfaces, hostname } = await import("node:os");
    const { defaultLookup } = await import("../../src/config/server-id.js");
    const isLocal = localHostCheck({ networkInterfaces, hostname, lookup: defaultLookup });
    expect(await isLocal("localhost")).toBe(true);
    expect(await isLocal(hostname())).toBe(true);
    const first = Object.values(networkInterfaces()).flat()[0];
    if (first !== undefined) expect(await isLocal(first.address)).toBe(true);
    expect(await isLocal("192.0.2.1")).toBe(false); // TEST-NET-1, never assigned
  });
});
