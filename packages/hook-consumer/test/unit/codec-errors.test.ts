import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeHookMessage, HookDecoder } from "../../src/index.js";
import { decodeError } from "../helpers/decode.js";

const version = { version: "1.0.0", versionParts: [1] };
const body = {
  type: "ENTITY_DELETE_V2",
  user: "hive",
  entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: "a@cm" } }],
};
const envelope = (extra: object) =>
  JSON.stringify({
    version,
    msgCompressionKind: "NONE",
    msgSplitIdx: 1,
    msgSplitCount: 1,
    message: body,
    ...extra,
  });

describe("each malformed message gives its typed error", () => {
  it("a value that is not JSON is HOOK_BAD_JSON", () => {
    expect(decodeError('{"version": ')).toEqual({
      name: "HookDecodeError",
      code: "HOOK_BAD_JSON",
      field: undefined,
    });
  });

  it("a record without a value is HOOK_EMPTY_VALUE", () => {
    const result = new HookDecoder<number>().decode(null, 0);
    expect(result.status === "failed" && result.error.code).toBe("HOOK_EMPTY_VALUE");
  });

  it("a JSON array or string is HOOK_BAD_ENVELOPE", () => {
    expect(decodeError("[1,2]").code).toBe("HOOK_BAD_ENVELOPE");
    expect(decodeError('"text"').code).toBe("HOOK_BAD_ENVELOPE");
  });

  it("a version newer than 1.0.0 is HOOK_UNSUPPORTED_VERSION, by parts or by text; older is read", () => {
    expect(decodeError(envelope({ version: { version: "2.0.0", versionParts: [2] } })).code).toBe(
      "HOOK_UNSUPPORTED_VERSION",
    );
    expect(
      decodeError(envelope({ version: { version: "1.0.1", versionParts: [1, 0, 1] } })).code,
    ).toBe("HOOK_UNSUPPORTED_VERSION");
    expect(decodeError(envelope({ version: { version: "1.1" } })).code).toBe(
      "HOOK_UNSUPPORTED_VERSION",
    );
    const older = new HookDecoder<number>().decode(
      envelope({ version: { version: "0.9", versionParts: [0, 9] } }),
      0,
    );
    expect(older.status).toBe("complete");
  });

  it("a malformed version or compression kind is HOOK_BAD_ENVELOPE", () => {
    expect(decodeError(envelope({ version: "1.0.0" })).code).toBe("HOOK_BAD_ENVELOPE");
    expect(decodeError(envelope({ version: { version: "one" } })).code).toBe("HOOK_BAD_ENVELOPE");
    expect(decodeError(envelope({ msgCompressionKind: "SNAPPY" })).code).toBe("HOOK_BAD_ENVELOPE");
    expect(decodeError(envelope({ msgSplitCount: "2" })).code).toBe("HOOK_BAD_ENVELOPE");
    expect(decodeError(envelope({ message: undefined })).code).toBe("HOOK_BAD_ENVELOPE");
  });

  it("GZIP with a message that is not base64 is HOOK_BAD_BASE64", () => {
    const bad = JSON.stringify({
      version,
      msgId: "m",
      msgCompressionKind: "GZIP",
      msgSplitIdx: 1,
      msgSplitCount: 1,
      message: "H4sI!!not*base64",
    });
    expect(decodeError(bad).code).toBe("HOOK_BAD_BASE64");
    const unpadded = JSON.stringify({
      version,
      msgId: "m",
      msgCompressionKind: "GZIP",
      message: "H4sIAA",
    });
    expect(decodeError(unpadded).code).toBe("HOOK_BAD_BASE64");
  });

  it("a truncated gzip stream is HOOK_BAD_GZIP, and so is base64 that is not gzip", () => {
    const gz = gzipSync(Buffer.from(envelope({}))).subarray(0, 40);
    const padded = gz.toString("base64");
    expect(
      decodeError(
        JSON.stringify({ version, msgId: "m", msgCompressionKind: "GZIP", message: padded }),
      ).code,
    ).toBe("HOOK_BAD_GZIP");
    const plain = Buffer.from("this is not gzip at all, just text").toString("base64");
    expect(
      decodeError(
        JSON.stringify({ version, msgId: "m", msgCompressionKind: "GZIP", message: plain }),
      ).code,
    ).toBe("HOOK_BAD_GZIP");
  });

  it("a gzip body that decompresses past the limit is HOOK_BAD_GZIP", () => {
    const [value] = encodeHookMessage(
      { ...body, padding: "x".repeat(100_000) },
      { compression: "GZIP" },
    );
    const result = new HookDecoder<number>({ maxDecompressedBytes: 10_000 }).decode(value, 0);
    expect(result.status === "failed" && result.error.code).toBe("HOOK_BAD_GZIP");
  });

  it("decompressed text that is not JSON is HOOK_BAD_JSON", () => {
    const message = gzipSync(Buffer.from("{not json")).toString("base64");
    expect(
      decodeError(JSON.stringify({ version, msgId: "m", msgCompressionKind: "GZIP", message }))
        .code,
    ).toBe("HOOK_BAD_JSON");
  });

  it("a split part whose index is outside 0..count-1 is HOOK_SPLIT_INDEX_OUT_OF_RANGE", () => {
    const part = (idx: number) =>
      JSON.stringify({
        version,
        msgId: "m1",
        msgCompressionKind: "NONE",
        msgSplitIdx: idx,
        msgSplitCount: 3,
        message: "abcd",
      });
    expect(decodeError(part(3)).code).toBe("HOOK_SPLIT_INDEX_OUT_OF_RANGE");
    expect(decodeError(part(-1)).code).toBe("HOOK_SPLIT_INDEX_OUT_OF_RANGE");
  });

  it("a split part without msgId or index is HOOK_BAD_ENVELOPE", () => {
    expect(
      decodeError(
        JSON.stringify({
          version,
          msgCompressionKind: "NONE",
          msgSplitIdx: 0,
          msgSplitCount: 2,
          message: "ab",
        }),
      ).code,
    ).toBe("HOOK_BAD_ENVELOPE");
    expect(
      decodeError(JSON.stringify({ version, msgId: "m", msgSplitCount: 2, message: "ab" })).code,
    ).toBe("HOOK_BAD_ENVELOPE");
  });

  it("parts of one msgId that disagree on the count are HOOK_SPLIT_INCONSISTENT", () => {
    const a = JSON.stringify({
      version,
      msgId: "m2",
      msgSplitIdx: 0,
      msgSplitCount: 3,
      message: "abcd",
    });
    const b = JSON.stringify({
      version,
      msgId: "m2",
      msgSplitIdx: 1,
      msgSplitCount: 2,
      message: "abcd",
    });
    expect(decodeError([a, b]).code).toBe("HOOK_SPLIT_INCONSISTENT");
  });

  it("reassembled parts that are not base64 are HOOK_BAD_BASE64, reported with every part", () => {
    const part = (idx: number) =>
      JSON.stringify({
        version,
        msgId: "m3",
        msgSplitIdx: idx,
        msgSplitCount: 2,
        message: idx === 0 ? "ab$d" : "efgh",
      });
    const decoder = new HookDecoder<string>();
    expect(decoder.decode(part(1), "p1").status).toBe("pending");
    const result = decoder.decode(part(0), "p0");
    if (result.status !== "failed") throw new Error(result.status);
    expect(result.error.code).toBe("HOOK_BAD_BASE64");
    expect(result.parts).toEqual(["p0", "p1"]);
  });

  it("a missing split part is dropped after the wait, measured on the injected clock, as HOOK_SPLIT_INCOMPLETE", () => {
    let now = 1_000;
    const decoder = new HookDecoder<string>({ splitWaitMs: 900_000, now: () => now });
    const values = encodeHookMessage(
      { ...body, padding: "y".repeat(3000) },
      { compression: "NONE", maxMessageBytes: 1000, msgId: "m4" },
    );
    expect(values.length).toBeGreaterThan(2);
    expect(decoder.decode(values[0], "p0").status).toBe("pending");
    expect(decoder.decode(values[2], "p2").status).toBe("pending");
    now += 899_999;
    expect(decoder.evictExpired()).toEqual([]);
    expect(decoder.nextExpiry()).toBe(901_000);
    now += 1;
    const [evicted] = decoder.evictExpired();
    expect(evicted).toMatchObject({
      msgId: "m4",
      received: 2,
      count: values.length,
      parts: ["p0", "p2"],
    });
    expect(decoder.pendingSplits).toBe(0);
    // The late part starts a new (incomplete) set rather than completing the dropped one.
    expect(decoder.decode(values[1], "p1").status).toBe("pending");
  });

  it("an unknown type is HOOK_UNKNOWN_TYPE, and TYPE_CREATE (a types message) is unknown too", () => {
    expect(decodeError(envelope({ message: { type: "ENTITY_EXPLODE", user: "x" } }))).toMatchObject(
      { code: "HOOK_UNKNOWN_TYPE", field: "type" },
    );
    expect(decodeError(JSON.stringify({ type: "TYPE_CREATE", typesDef: {} })).code).toBe(
      "HOOK_UNKNOWN_TYPE",
    );
  });

  it.each([
    ["a body without type", { user: "hive" }, "HOOK_MISSING_FIELD", "type"],
    ["V2 create without entities", { type: "ENTITY_CREATE_V2" }, "HOOK_MISSING_FIELD", "entities"],
    [
      "V2 create without the entity list",
      { type: "ENTITY_CREATE_V2", entities: { referredEntities: {} } },
      "HOOK_MISSING_FIELD",
      "entities.entities",
    ],
    [
      "V2 entity without typeName",
      { type: "ENTITY_FULL_UPDATE_V2", entities: { entities: [{ attributes: {} }] } },
      "HOOK_MISSING_FIELD",
      "entities.entities[0].typeName",
    ],
    [
      "V2 referred entity without typeName",
      { type: "ENTITY_CREATE_V2", entities: { entities: [], referredEntities: { "-1": {} } } },
      "HOOK_MISSING_FIELD",
      "entities.referredEntities.-1.typeName",
    ],
    [
      "V2 partial update without entityId",
      { type: "ENTITY_PARTIAL_UPDATE_V2", entity: { entity: { typeName: "t" } } },
      "HOOK_MISSING_FIELD",
      "entityId",
    ],
    [
      "V2 partial update without entity",
      {
        type: "ENTITY_PARTIAL_UPDATE_V2",
        entityId: { typeName: "t", uniqueAttributes: { qualifiedName: "q" } },
      },
      "HOOK_MISSING_FIELD",
      "entity",
    ],
    [
      "V2 delete of an id without guid or unique attributes",
      { type: "ENTITY_DELETE_V2", entities: [{ typeName: "t" }] },
      "HOOK_MISSING_FIELD",
      "entities[0].uniqueAttributes",
    ],
    [
      "V2 delete with entities not a list",
      { type: "ENTITY_DELETE_V2", entities: { typeName: "t" } },
      "HOOK_INVALID_FIELD",
      "entities",
    ],
    [
      "a user that is not a string",
      { type: "ENTITY_DELETE_V2", user: 7, entities: [] },
      "HOOK_INVALID_FIELD",
      "user",
    ],
    ["V1 create without entities", { type: "ENTITY_CREATE" }, "HOOK_MISSING_FIELD", "entities"],
    [
      "V1 partial update without attribute",
      { type: "ENTITY_PARTIAL_UPDATE", typeName: "t", attributeValue: "v", entity: {} },
      "HOOK_MISSING_FIELD",
      "attribute",
    ],
    [
      "V1 delete without attributeValue",
      { type: "ENTITY_DELETE", typeName: "t", attribute: "qualifiedName" },
      "HOOK_MISSING_FIELD",
      "attributeValue",
    ],
    [
      "V1 referenceable without typeName",
      { type: "ENTITY_FULL_UPDATE", entities: [{ values: {} }] },
      "HOOK_MISSING_FIELD",
      "entities[0].typeName",
    ],
  ])("%s is %s at %s", (_what, message, code, field) => {
    expect(decodeError(envelope({ message }))).toEqual({ name: "HookDecodeError", code, field });
  });
});
