// Reading atlas-application.properties (Java properties syntax) for `atlas-status --config`.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseProperties, readAtlasConfig } from "../src/index.js";

describe("parseProperties", () => {
  it("reads the Java properties syntax: comments, separators, continuations, escapes", () => {
    const props = parseProperties(
      [
        "# a comment",
        "! another comment",
        "   ",
        "a=1",
        "b : 2",
        "c 3",
        "  d\t=\t 4 ",
        "e=first, \\",
        "    second",
        "f=tab\\there\\nnewline \\u00e9t\\u00e9",
        "key\\ with\\ spaces=x",
        "g\\:h=colon in key",
        "empty=",
        "hash=#not a comment",
        "trailing=ends with backslash\\\\",
        "next=after",
        "a=last wins",
      ].join("\r\n"),
    );
    expect(Object.fromEntries(props)).toEqual({
      a: "last wins",
      b: "2",
      c: "3",
      d: "4 ",
      e: "first, second",
      f: "tab\there\nnewline été",
      "key with spaces": "x",
      "g:h": "colon in key",
      empty: "",
      hash: "#not a comment",
      trailing: "ends with backslash\\",
      next: "after",
    });
  });
});

describe("parseProperties on text Java refuses", () => {
  it("refuses a malformed \\u escape with STATUS_CONFIG_INVALID naming the file and line", () => {
    let caught: unknown;
    try {
      parseProperties("ok=1\n\n bad=\\u12G4\n", "/etc/atlas/atlas-application.properties");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      name: "StatusConfigError",
      code: "STATUS_CONFIG_INVALID",
      file: "/etc/atlas/atlas-application.properties",
    });
    expect((caught as Error).message).toContain("/etc/atlas/atlas-application.properties:3");
  });
});

describe("readAtlasConfig", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "atlas-status-config-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (text: string, name = "atlas-application.properties"): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it("lists the addresses in atlas.server.ids order, with the Atlas retry defaults", async () => {
    const file = await write(
      [
        "atlas.server.ha.enabled=true",
        "atlas.server.ids=id2,id1",
        "atlas.server.address.id1=atlas-1.example.com:21000",
        "atlas.server.address.id2 = atlas-2.example.com:21000",
        "atlas.server.address.id9=ignored:21000",
      ].join("\n"),
    );
    expect(await readAtlasConfig(file)).toEqual({
      urls: ["http://atlas-2.example.com:21000", "http://atlas-1.example.com:21000"],
      retries: 4,
      retryIntervalMs: 5000,
    });
  });

  it("uses https with atlas.enableTLS=true and takes the client retry keys", async () => {
    const file = await write(
      [
        "atlas.enableTLS=True",
        "atlas.server.ids=a",
        "atlas.server.address.a=10.0.0.1:21443",
        "atlas.client.ha.retries=2",
        "atlas.client.ha.sleep.interval.ms=250",
      ].join("\n"),
    );
    expect(await readAtlasConfig(file)).toEqual({
      urls: ["https://10.0.0.1:21443"],
      retries: 2,
      retryIntervalMs: 250,
    });
  });

  it("without atlas.server.ids takes every address, ordered by id", async () => {
    const file = await write(
      ["atlas.server.address.id10=h10:1", "atlas.server.address.id2=h2:1"].join("\n"),
    );
    expect((await readAtlasConfig(file)).urls).toEqual(["http://h2:1", "http://h10:1"]);
  });

  it("accepts the directory that holds atlas-application.properties (as ATLAS_CONF names it)", async () => {
    await write("atlas.server.ids=one\natlas.server.address.one=127.0.0.1:21000\n");
    expect((await readAtlasConfig(dir)).urls).toEqual(["http://127.0.0.1:21000"]);
  });

  it("an id without an address is an error naming the missing key", async () => {
    const file = await write("atlas.server.ids=id1,id2\natlas.server.address.id1=h:1\n");
    await expect(readAtlasConfig(file)).rejects.toMatchObject({
      name: "StatusConfigError",
      code: "STATUS_CONFIG_INVALID",
      key: "atlas.server.address.id2",
    });
  });

  it("a malformed value is an error naming its key", async () => {
    const retries = await write(
      "atlas.server.address.a=h:1\natlas.client.ha.retries=four\n",
      "r.properties",
    );
    await expect(readAtlasConfig(retries)).rejects.toMatchObject({
      code: "STATUS_CONFIG_INVALID",
      key: "atlas.client.ha.retries",
    });
    const address = await write("atlas.server.address.a=just-a-host\n", "a.properties");
    await expect(readAtlasConfig(address)).rejects.toMatchObject({
      code: "STATUS_CONFIG_INVALID",
      key: "atlas.server.address.a",
    });
  });

  it("a file with no instance is an error", async () => {
    const file = await write("atlas.server.http.port=21000\n");
    await expect(readAtlasConfig(file)).rejects.toMatchObject({
      code: "STATUS_CONFIG_INVALID",
      key: "atlas.server.ids",
    });
  });

  it("a missing file is an error naming the file", async () => {
    const missing = join(dir, "nope.properties");
    await expect(readAtlasConfig(missing)).rejects.toMatchObject({
      code: "STATUS_CONFIG_UNREADABLE",
      file: missing,
    });
  });
});
