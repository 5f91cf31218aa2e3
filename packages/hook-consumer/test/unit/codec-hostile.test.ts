import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeHookMessage, HookDecoder, MAX_V1_DEPTH } from "../../src/index.js";
import { decodeError } from "../helpers/decode.js";

// Values a hostile or broken producer can put on ATLAS_HOOK. Each must come back as a typed
// `failed` result (never a throw, never a crash of the process): the consumer then logs the
// record as failed and the stream goes on (docs/contracts/hooks.md).

const version = { version: "1.0.0", versionParts: [1] };
const part = (extra: object) =>
  JSON.stringify({
    version,
    msgCompressionKind: "NONE",
    msgId: "m",
    msgSplitIdx: 0,
    message: "AAAA",
    ...extra,
  });
const v2Create = (attributes: Record<string, unknown>) => ({
  type: "ENTITY_CREATE_V2",
  user: "hive",
  entities: {
    entities: [
      {
        typeName: "hive_db",
        guid: "-1",
        attributes: { qualifiedName: "u@cm", name: "u", ...attributes },
      },
    ],
    referredEntities: {},
  },
});

describe("split parts that claim absurd counts", () => {
  it("a part claiming 2^31 parts costs one held part, not an array of 2^31 slots, and is dropped after the wait", () => {
    let now = 0;
    const decoder = new HookDecoder<number>({ splitWaitMs: 1000, now: () => now });
    const before = process.memoryUsage().rss;
    for (const [i, count] of [2 ** 31, 2 ** 32 + 5, 1e300, Number.MAX_SAFE_INTEGER].entries()) {
      expect(decoder.decode(part({ msgId: `huge-${i}`, msgSplitCount: count }), i)).toMatchObject({
        status: "pending",
        received: 1,
        count,
      });
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect({ pending: decoder.pendingSplits, held: decoder.heldParts }).toEqual({
      pending: 4,
      held: 4,
    });
    now = 1000;
    expect(decoder.evictExpired().map((e) => [e.msgId, e.received, e.parts])).toEqual([
      ["huge-0", 1, [0]],
      ["huge-1", 1, [1]],
      ["huge-2", 1, [2]],
      ["huge-3", 1, [3]],
    ]);
    expect(decoder.pendingSplits).toBe(0);
  });

  it("parts arriving out of order and with gaps still reassemble by index once all are there", () => {
    const values = encodeHookMessage(v2Create({ description: "x".repeat(3000) }), {
      compression: "NONE",
      maxMessageBytes: 400,
      msgId: "ooo",
    });
    expect(values.length).toBeGreaterThan(3);
    const decoder = new HookDecoder<number>();
    const order = values.map((_, i) => i).reverse();
    const results = order.map((i) => decoder.decode(values[i], i));
    expect(results.slice(0, -1).every((r) => r.status === "pending")).toBe(true);
    const last = results.at(-1)!;
    expect(last.status === "complete" && last.parts).toEqual(values.map((_, i) => i));
  });
});

describe("deeply nested documents", () => {
  it("V1 values nested deeper than the limit are HOOK_LIMIT_EXCEEDED, not a stack overflow; the field names where", () => {
    const deep = (n: number) =>
      `{"type":"ENTITY_CREATE","entities":[{"typeName":"hive_db","id":"-1","values":{"qualifiedName":"d@cm","x":${"[".repeat(n)}${"]".repeat(n)}}}]}`;
    for (const n of [MAX_V1_DEPTH + 1, 20_000, 200_000]) {
      expect(decodeError(deep(n))).toMatchObject({
        name: "HookDecodeError",
        code: "HOOK_LIMIT_EXCEEDED",
        field: expect.stringMatching(/^entities\[0\]\.values\.x/),
      });
    }
    const objects = `{"type":"ENTITY_CREATE","entities":[{"typeName":"hive_db","values":{"x":${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}}}]}`;
    expect(decodeError(objects).code).toBe("HOOK_LIMIT_EXCEEDED");
    const ok = new HookDecoder<number>().decode(deep(MAX_V1_DEPTH - 2), 0);
    expect(ok.status).toBe("complete");
  });

  it("a V2 body is handed on as it came, however deep (the application bounds what it stores)", () => {
    const text = `{"type":"ENTITY_CREATE_V2","entities":{"entities":[{"typeName":"hive_db","attributes":{"qualifiedName":"d@cm","x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}}]}}`;
    const result = new HookDecoder<number>().decode(text, 0);
    expect(result.status).toBe("complete");
  });

  it("a document nested 100,000 deep at the top is refused as not an envelope or body", () => {
    expect(decodeError(`${"[".repeat(100_000)}${"]".repeat(100_000)}`).code).toBe(
      "HOOK_BAD_ENVELOPE",
    );
  });
});

describe("unicode", () => {
  const raw = (middle: number[]) =>
    Buffer.concat([
      Buffer.from(
        '{"type":"ENTITY_DELETE_V2","entities":[{"typeName":"hive_db","uniqueAttributes":{"qualifiedName":"',
      ),
      Buffer.from(middle),
      Buffer.from('"}}]}'),
    ]);

  it("a value that is not UTF-8 is HOOK_BAD_JSON rather than a message silently rewritten with U+FFFD", () => {
    const cases = {
      "overlong slash": [0xc0, 0xaf],
      "overlong NUL": [0xc0, 0x80],
      "overlong 3-byte": [0xe0, 0x80, 0xaf],
      "lone high surrogate as bytes": [0xed, 0xa0, 0x80],
      "lone low surrogate as bytes": [0xed, 0xbf, 0xbf],
      "truncated 4-byte sequence": [0xf0, 0x9f, 0x98],
      "beyond U+10FFFF": [0xf4, 0x90, 0x80, 0x80],
      "stray continuation byte": [0x80],
      "0xFF": [0xff],
    };
    for (const [what, bytes] of Object.entries(cases)) {
      const result = new HookDecoder<number>().decode(raw(bytes), 0);
      expect({
        what,
        code: result.status === "failed" ? result.error.code : result.status,
      }).toEqual({ what, code: "HOOK_BAD_JSON" });
    }
  });

  it("a GZIP or split message whose inner bytes are not UTF-8 is HOOK_BAD_JSON too", () => {
    const [gz] = encodeHookMessage(v2Create({}), { compression: "GZIP" });
    const doc = JSON.parse(gz!) as { message: string };
    doc.message = gzipSync(raw([0xc0, 0xaf])).toString("base64");
    expect(decodeError(JSON.stringify(doc)).code).toBe("HOOK_BAD_JSON");
  });

  it("lone surrogates, NUL, right-to-left text and emoji written as JSON escapes or UTF-8 are read as written", () => {
    const name =
      "\u0000nul \u202Ertl\u202C \u05D0\u05D1 \u{1F600}\u{1F469}\u200D\u{1F4BB} \uD800 \uDFFF end";
    const [value] = encodeHookMessage(v2Create({ description: name }));
    expect(value).toContain("\\ud800"); // JSON.stringify escapes lone surrogates
    const result = new HookDecoder<number>().decode(Buffer.from(value!, "utf8"), 0);
    expect(
      result.status === "complete" &&
        result.notification.type === "ENTITY_CREATE_V2" &&
        result.notification.entities.entities[0]?.attributes?.description,
    ).toBe(name);
  });
});
