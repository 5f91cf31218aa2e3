/**
 * A corpus of malformed and hostile hook messages, interleaved with valid ones, for the
 * hook path of a real server (docs/contracts/hooks.md: one bad message never stops the stream, loses
 * nothing). Hand-written cases plus a seeded generator: the same seed gives the same Kafka
 * values in the same order, so a failure can be replayed.
 *
 * Every case says what must become of each of its Kafka records:
 * - `applied`: the message reaches the store (checked through the REST API);
 * - `failed`: the listed records are lines of the failed-messages log with that code;
 * - `duplicate`: the record is a repeated split part, ignored (counted, not logged).
 */
import { gzipSync } from "node:zlib";
import { encodeHookMessage } from "@atlas-ha/hook-consumer";

export type KafkaValue = string | Buffer | null;

export type Outcome =
  /** The message was applied: an entity `typeName` with `qualifiedName` exists, with these attributes. */
  | {
      kind: "applied";
      typeName: string;
      qualifiedName: string;
      attributes?: Record<string, unknown>;
    }
  /** These records (indexes into the case's values) are in the failed log with `code`. */
  | { kind: "failed"; code: string; records: number[] }
  /** These records are repeated split parts: ignored and counted in `duplicateParts`. */
  | { kind: "duplicate"; records: number[] };

export interface CorpusCase {
  /** `family/detail`, e.g. `bad-json/truncated-17`. */
  id: string;
  values: KafkaValue[];
  outcomes: Outcome[];
  /**
   * Spread the values over the stream (one after each following case) instead of sending
   * them back to back: split parts interleaved with other messages, as several producers make.
   */
  interleave?: boolean;
  /** Split sets of this case that never complete (dropped after the wait). */
  droppedSplits?: number;
}

/** One record of the stream, in production order. */
export interface StreamRecord {
  value: KafkaValue;
  caseIndex: number;
  valueIndex: number;
}

export interface Corpus {
  cases: CorpusCase[];
  stream: StreamRecord[];
}

export const QN_SUFFIX = "@hostile";
const VERSION = { version: "1.0.0", versionParts: [1] };

/** mulberry32: small, seedable, good enough to pick mutations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly random: () => number;
  #n = 0;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }
  /** Letters and digits that gzip cannot shrink much, so GZIP messages still split. */
  text(length: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }
  /** A name unique within the corpus. */
  name(prefix: string): string {
    return `${prefix}-${++this.#n}`;
  }
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }
}

// ---- building blocks -------------------------------------------------------------------

function hiveDbAttributes(
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { qualifiedName: `${name}${QN_SUFFIX}`, name, clusterName: "hostile", ...extra };
}

function v2Create(
  name: string,
  extra: Record<string, unknown> = {},
  type = "ENTITY_CREATE_V2",
): Record<string, unknown> {
  return {
    type,
    user: "hive",
    entities: {
      entities: [{ typeName: "hive_db", guid: "-1", attributes: hiveDbAttributes(name, extra) }],
      referredEntities: {},
    },
  };
}

function v1Create(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "ENTITY_CREATE",
    user: "hive",
    entities: [
      {
        jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference",
        typeName: "hive_db",
        id: { id: "-1", typeName: "hive_db", version: 0, state: "ACTIVE" },
        values: hiveDbAttributes(name, extra),
        traitNames: [],
        traits: {},
      },
    ],
  };
}

function envelope(body: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: VERSION,
    msgCompressionKind: "NONE",
    msgSplitIdx: 1,
    msgSplitCount: 1,
    msgCreatedBy: "hive",
    msgCreationTime: 1_700_000_000_000,
    message: body,
    ...extra,
  });
}

function applied(name: string, attributes?: Record<string, unknown>): Outcome {
  return {
    kind: "applied",
    typeName: "hive_db",
    qualifiedName: `${name}${QN_SUFFIX}`,
    ...(attributes ? { attributes } : {}),
  };
}

function failed(code: string, records: number[] = [0]): Outcome {
  return { kind: "failed", code, records };
}

/** The split parts a hook sends for `body`, each part at most `size` bytes of base64. */
function splitParts(
  body: unknown,
  msgId: string,
  compression: "GZIP" | "NONE",
  size: number,
): string[] {
  return encodeHookMessage(body, {
    compression,
    maxMessageBytes: size,
    msgId,
    msgCreationTime: 1_700_000_000_000,
  });
}

function part(
  msgId: string,
  index: number,
  count: number,
  message: string,
  compression: "GZIP" | "NONE" = "NONE",
): string {
  return JSON.stringify({
    version: VERSION,
    msgId,
    msgCompressionKind: compression,
    msgSplitIdx: index,
    msgSplitCount: count,
    message,
  });
}

function utf8WithRaw(before: string, raw: number[], after: string): Buffer {
  return Buffer.concat([Buffer.from(before, "utf8"), Buffer.from(raw), Buffer.from(after, "utf8")]);
}

/** Byte sequences that are not UTF-8 (RFC 3629): overlong forms, surrogates, out of range, truncated. */
export const INVALID_UTF8: Record<string, number[]> = {
  "overlong-slash": [0xc0, 0xaf],
  "overlong-nul": [0xc0, 0x80],
  "overlong-3byte-slash": [0xe0, 0x80, 0xaf],
  "overlong-4byte": [0xf0, 0x80, 0x80, 0xaf],
  "lone-high-surrogate": [0xed, 0xa0, 0x80],
  "lone-low-surrogate": [0xed, 0xbf, 0xbf],
  "surrogate-pair-as-cesu8": [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80],
  "beyond-10ffff": [0xf4, 0x90, 0x80, 0x80],
  "truncated-4byte": [0xf0, 0x9f, 0x98],
  "stray-continuation": [0x80],
  "byte-ff": [0xff],
  "byte-fe": [0xfe],
};

/** Text that is valid and awkward: every one of these must come back byte for byte. */
export const AWKWARD_TEXT = [
  "NUL \u0000 inside",
  "\u202Eright-to-left override\u202C and \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627",
  "emoji \u{1F600} \u{1F469}\u200D\u{1F4BB} \u{1F1E9}\u{1F1EA} \u{1F3F3}\u{FE0F}\u200D\u{1F308}",
  "lone surrogates \uD800 and \uDFFF as JSON escapes",
  "BOM \uFEFF and noncharacters \uFFFE \uFFFF \u{10FFFF}",
  "line separators \u2028 \u2029 and C1 \u0085 controls \u0001\u001F\u007F",
  "combining e\u0301\u0301\u0301 and zalgo Z\u0351\u0352\u0353\u0354",
  'quotes " \\ / \b\f\n\r\t and </script><!--',
  "max BMP \uFFFD and astral \u{1D11E}\u{20000}",
];

// ---- hand-written cases ----------------------------------------------------------------

function handWritten(g: Gen): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (
    id: string,
    values: KafkaValue[],
    outcomes: Outcome[],
    more: Partial<CorpusCase> = {},
  ) => cases.push({ id, values, outcomes, ...more });

  // Not JSON, or not a JSON object.
  add("empty/tombstone", [null], [failed("HOOK_EMPTY_VALUE")]);
  add("empty/zero-bytes", [""], [failed("HOOK_EMPTY_VALUE")]);
  add("bad-json/whitespace", ["   \n\t "], [failed("HOOK_BAD_JSON")]);
  add(
    "bad-json/bom-prefixed",
    [`\uFEFF${envelope(v2Create(g.name("bom")))}`],
    [failed("HOOK_BAD_JSON")],
  );
  add("bad-json/single-quotes", ["{'version': 1}"], [failed("HOOK_BAD_JSON")]);
  add(
    "bad-json/trailing-garbage",
    [`${envelope(v2Create(g.name("trail")))}}`],
    [failed("HOOK_BAD_JSON")],
  );
  add(
    "bad-json/two-documents",
    [`${envelope(v2Create(g.name("two-a")))}\n${envelope(v2Create(g.name("two-b")))}`],
    [failed("HOOK_BAD_JSON")],
  );
  add(
    "bad-json/nan",
    ['{"version":{"version":"1.0.0","versionParts":[NaN]}}'],
    [failed("HOOK_BAD_JSON")],
  );
  for (const [what, value] of [
    ["null", "null"],
    ["array", "[1,2,3]"],
    ["number", "42"],
    ["string", '"ENTITY_CREATE_V2"'],
    ["true", "true"],
  ]) {
    add(`bad-envelope/json-${what}`, [value!], [failed("HOOK_BAD_ENVELOPE")]);
  }

  // 5 MB values: the broker takes them (topic max.message.bytes raised by the test).
  const big5 = "x".repeat(5 * 1024 * 1024);
  const bigName = g.name("five-mb-single");
  add(
    "five-mb/valid-single-record",
    [envelope(v2Create(bigName, { description: big5 }))],
    [applied(bigName, { description: { length: big5.length } })],
  );
  const bigSplit = g.name("five-mb-split");
  const bigSplitValues = splitParts(
    v2Create(bigSplit, { description: `${big5.slice(0, 4_000_000)}${g.name("tail")}` }),
    `msg-${bigSplit}`,
    "NONE",
    900_000,
  );
  add("five-mb/valid-split-plain", bigSplitValues, [applied(bigSplit)], { interleave: true });
  const bigGzip = g.name("five-mb-gzip");
  add(
    "five-mb/valid-gzip",
    encodeHookMessage(v2Create(bigGzip, { description: big5 }), {
      compression: "GZIP",
      msgId: `msg-${bigGzip}`,
    }),
    [applied(bigGzip, { description: { length: big5.length } })],
  );
  add("five-mb/not-json", [`{"version":${"9".repeat(5 * 1024 * 1024)}`], [failed("HOOK_BAD_JSON")]);
  add(
    "five-mb/unknown-type",
    [envelope({ type: "ENTITY_NOPE", padding: big5 })],
    [failed("HOOK_UNKNOWN_TYPE")],
  );

  // Deeply nested documents.
  const deepList = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
  add("deep/top-level-array-100k", [deepList(100_000)], [failed("HOOK_BAD_ENVELOPE")]);
  add(
    "deep/v1-values-50k",
    [
      `{"version":{"version":"1.0.0","versionParts":[1]},"message":{"type":"ENTITY_CREATE","entities":[{"typeName":"hive_db","id":"-1","values":{"qualifiedName":"deep-v1${QN_SUFFIX}","x":${deepList(50_000)}}}]}}`,
    ],
    [failed("HOOK_LIMIT_EXCEEDED")],
  );
  add(
    "deep/v1-objects-20k",
    [
      `{"type":"ENTITY_CREATE","entities":[{"typeName":"hive_db","values":{"x":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}}]}`,
    ],
    [failed("HOOK_LIMIT_EXCEEDED")],
  );
  add(
    "deep/v2-attribute-100k",
    [
      envelope(JSON.parse(JSON.stringify(v2Create("deep-v2-attr")))).replace(
        '"clusterName":"hostile"',
        `"clusterName":"hostile","description":${deepList(100_000)}`,
      ),
    ],
    [failed("STORE_INVALID_ENTITY")],
  );
  add(
    "deep/v2-referred-entity-5k",
    [
      envelope(v2Create("deep-v2-ref")).replace(
        '"referredEntities":{}',
        `"referredEntities":{"-9":{"typeName":"hive_db","attributes":{"x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}}}`,
      ),
    ],
    [failed("STORE_INVALID_ENTITY")],
  );
  const shallow = g.name("nested-ok");
  add(
    "deep/v2-attribute-40-ok",
    [
      envelope(
        v2Create(shallow, {
          parameters: JSON.parse(`${'{"a":'.repeat(40)}"leaf"${"}".repeat(40)}`) as unknown,
        }),
      ),
    ],
    [applied(shallow)],
  );

  // Unicode: raw bytes that are not UTF-8 are refused; escapes and real UTF-8 are kept.
  for (const [what, bytes] of Object.entries(INVALID_UTF8)) {
    const body = envelope(v2Create(g.name(`raw-${what}`), { description: "@@RAW@@" }));
    const [before, after] = body.split("@@RAW@@") as [string, string];
    add(`utf8/raw-${what}`, [utf8WithRaw(before, bytes, after)], [failed("HOOK_BAD_JSON")]);
  }
  for (const [i, text] of AWKWARD_TEXT.entries()) {
    const name = g.name(`unicode-${i}`);
    add(
      `unicode/escaped-${i}`,
      [envelope(v2Create(name, { description: text, owner: text }))],
      [applied(name, { description: text, owner: text })],
    );
  }
  const rtlName = g.name("\u05E9\u05DD-\u{1F600}-\u202Ename");
  add("unicode/in-qualified-name", [envelope(v2Create(rtlName))], [applied(rtlName)]);
  const gzUnicode = g.name("unicode-gzip");
  add(
    "unicode/gzip",
    encodeHookMessage(v2Create(gzUnicode, { description: AWKWARD_TEXT.join(" | ") }), {
      compression: "GZIP",
    }),
    [applied(gzUnicode, { description: AWKWARD_TEXT.join(" | ") })],
  );

  // Splits that never complete.
  for (const count of [2 ** 31, 2 ** 32 + 5, 1e300, Number.MAX_SAFE_INTEGER]) {
    add(
      `split-never/count-${count}`,
      [part(`huge-${g.name("m")}`, 0, count, "AAAA")],
      [failed("HOOK_SPLIT_INCOMPLETE")],
      { droppedSplits: 1 },
    );
  }
  const lone = g.name("lone-last-part");
  const loneParts = splitParts(
    v2Create(lone, { description: "y".repeat(5000) }),
    `msg-${lone}`,
    "NONE",
    1000,
  );
  add("split-never/only-last-part", [loneParts.at(-1)!], [failed("HOOK_SPLIT_INCOMPLETE")], {
    droppedSplits: 1,
  });

  // Duplicated parts: the message is applied once, the copies are ignored.
  const dup = g.name("dup-parts");
  const dupParts = splitParts(
    v2Create(dup, { description: g.text(3000) }),
    `msg-${dup}`,
    "GZIP",
    500,
  );
  add(
    "split-dup/every-part-twice",
    [...dupParts.flatMap((p) => [p, p])],
    [applied(dup), { kind: "duplicate", records: dupParts.map((_, i) => 2 * i + 1) }],
  );
  const dupLate = g.name("dup-after-assembly");
  const dupLateParts = splitParts(
    v2Create(dupLate, { description: "w".repeat(3000) }),
    `msg-${dupLate}`,
    "NONE",
    1500,
  );
  add(
    "split-dup/first-part-again-after-assembly",
    [...dupLateParts, dupLateParts[0]!],
    [applied(dupLate), { kind: "duplicate", records: [dupLateParts.length] }],
  );

  // Parts of a different msgId.
  const victim = g.name("victim");
  const victimParts = splitParts(
    v2Create(victim, { description: "v".repeat(3000) }),
    `msg-${victim}`,
    "NONE",
    1500,
  );
  const count = victimParts.length;
  const stranger = part(`msg-${victim}`, 0, count + 3, "AAAA");
  add(
    "split-foreign/same-msgid-other-count",
    [victimParts[0]!, stranger, ...victimParts.slice(1)],
    [applied(victim), failed("HOOK_SPLIT_INCONSISTENT", [1])],
  );
  const gzipPart = JSON.stringify({
    ...JSON.parse(victimParts[0]!),
    msgId: `msg-${victim}-b`,
    msgCompressionKind: "GZIP",
  });
  const victimB = g.name("victim-b");
  const victimBParts = splitParts(
    v2Create(victimB, { description: "b".repeat(3000) }),
    `msg-${victim}-b`,
    "NONE",
    1500,
  );
  add(
    "split-foreign/same-msgid-other-compression",
    [victimBParts[0]!, gzipPart, ...victimBParts.slice(1)],
    [applied(victimB), failed("HOOK_SPLIT_INCONSISTENT", [1])],
  );
  const swapped = g.name("swapped");
  const swappedParts = splitParts(
    v2Create(swapped, { description: "s".repeat(3000) }),
    `msg-${swapped}`,
    "NONE",
    1000,
  );
  const relabelled = JSON.stringify({
    ...JSON.parse(swappedParts[1]!),
    msgId: `msg-${swapped}-other`,
  });
  add(
    "split-foreign/part-relabelled-to-another-msgid",
    [swappedParts[0]!, relabelled, ...swappedParts.slice(2)],
    [
      failed("HOOK_SPLIT_INCOMPLETE", [0, ...swappedParts.slice(2).map((_, i) => i + 2)]),
      failed("HOOK_SPLIT_INCOMPLETE", [1]),
    ],
    { droppedSplits: 2 },
  );

  // Reassembled parts that are not what they claim.
  add(
    "split-bad/joined-text-not-base64",
    [part("msg-nb64", 0, 2, "AAA"), part("msg-nb64", 1, 2, "*==")],
    [failed("HOOK_BAD_BASE64", [0, 1])],
  );
  const truncatedGzip = gzipSync(Buffer.from(envelope(v2Create("split-trunc"))))
    .subarray(0, 30)
    .toString("base64");
  add(
    "split-bad/joined-gzip-truncated",
    [
      part("msg-tgz", 0, 2, truncatedGzip.slice(0, 20), "GZIP"),
      part("msg-tgz", 1, 2, truncatedGzip.slice(20), "GZIP"),
    ],
    [failed("HOOK_BAD_GZIP", [0, 1])],
  );
  const nested = Buffer.from(part("msg-inner", 0, 2, "AAAA")).toString("base64");
  add(
    "split-bad/reassembled-is-a-part",
    [part("msg-outer", 0, 1 + 1, nested.slice(0, 8)), part("msg-outer", 1, 2, nested.slice(8))],
    [failed("HOOK_BAD_ENVELOPE", [0, 1])],
  );
  add(
    "split-bad/no-msgid",
    [JSON.stringify({ version: VERSION, msgSplitIdx: 0, msgSplitCount: 2, message: "AAAA" })],
    [failed("HOOK_BAD_ENVELOPE")],
  );
  add(
    "split-bad/no-index",
    [JSON.stringify({ version: VERSION, msgId: "noidx", msgSplitCount: 2, message: "AAAA" })],
    [failed("HOOK_BAD_ENVELOPE")],
  );
  add(
    "split-bad/message-not-string",
    [
      JSON.stringify({
        version: VERSION,
        msgId: "nostr",
        msgSplitIdx: 0,
        msgSplitCount: 2,
        message: { a: 1 },
      }),
    ],
    [failed("HOOK_BAD_ENVELOPE")],
  );
  add("split-bad/count-zero", [part("zero", 0, 0, "AAAA")], [failed("HOOK_BAD_ENVELOPE")]);
  add(
    "split-bad/count-fraction",
    [
      JSON.stringify({
        version: VERSION,
        msgId: "frac",
        msgSplitIdx: 0,
        msgSplitCount: 2.5,
        message: "AAAA",
      }),
    ],
    [failed("HOOK_BAD_ENVELOPE")],
  );
  add(
    "split-range/index-equals-count",
    [part("rng-a", 3, 3, "AAAA")],
    [failed("HOOK_SPLIT_INDEX_OUT_OF_RANGE")],
  );
  add(
    "split-range/index-negative",
    [part("rng-b", -1, 3, "AAAA")],
    [failed("HOOK_SPLIT_INDEX_OUT_OF_RANGE")],
  );
  add(
    "split-range/index-huge",
    [part("rng-c", 2 ** 40, 3, "AAAA")],
    [failed("HOOK_SPLIT_INDEX_OUT_OF_RANGE")],
  );

  // GZIP bombs and friends.
  const bomb = gzipSync(Buffer.alloc(300 * 1024 * 1024, 0x20), { level: 9 }).toString("base64");
  add(
    "gzip/bomb-300mb-of-spaces",
    [
      JSON.stringify({
        version: VERSION,
        msgId: "bomb",
        msgCompressionKind: "GZIP",
        message: bomb,
      }),
    ],
    [failed("HOOK_BAD_GZIP")],
  );
  add(
    "gzip/nested-gzip",
    [
      JSON.stringify({
        version: VERSION,
        msgId: "nest",
        msgCompressionKind: "GZIP",
        message: gzipSync(
          Buffer.from(
            JSON.stringify({ version: VERSION, msgCompressionKind: "GZIP", message: "H4sI" }),
          ),
        ).toString("base64"),
      }),
    ],
    [failed("HOOK_BAD_ENVELOPE")],
  );
  add(
    "gzip/inner-not-utf8",
    [
      JSON.stringify({
        version: VERSION,
        msgId: "gz8",
        msgCompressionKind: "GZIP",
        message: gzipSync(
          utf8WithRaw('{"version":{"version":"1.0.0"},"message":"', [0xc0, 0xaf], '"}'),
        ).toString("base64"),
      }),
    ],
    [failed("HOOK_BAD_JSON")],
  );

  // Decoded, then refused by the store: straight to the failed log (permanent).
  add(
    "store/unknown-entity-type",
    [
      envelope({
        ...v2Create("unknown-type"),
        entities: {
          entities: [
            { typeName: "no_such_type", guid: "-1", attributes: { qualifiedName: "u@hostile" } },
          ],
        },
      }),
    ],
    [failed("STORE_UNKNOWN_TYPE")],
  );
  add(
    "store/no-qualified-name",
    [
      envelope({
        ...v2Create("no-qn"),
        entities: {
          entities: [{ typeName: "hive_db", guid: "-1", attributes: { name: "no-qn" } }],
        },
      }),
    ],
    [failed("STORE_INVALID_ENTITY")],
  );
  // Attribute validation (docs/contracts/model.md, "Attribute validation"): a value of the
  // wrong type, and a mandatory attribute missing (a column without its table).
  add(
    "store/attribute-of-the-wrong-type",
    [envelope(v2Create("wrong-type", { parameters: "not a map", createTime: "yesterday" }))],
    [failed("STORE_INVALID_ATTRIBUTES")],
  );
  add(
    "store/mandatory-attribute-missing",
    [
      envelope({
        ...v2Create("no-table"),
        entities: {
          entities: [
            {
              typeName: "hive_column",
              guid: "-1",
              attributes: { qualifiedName: `db.t.c${QN_SUFFIX}`, name: "c", type: "int" },
            },
          ],
        },
      }),
    ],
    [failed("STORE_INVALID_ATTRIBUTES")],
  );
  add(
    "store/partial-update-of-nothing",
    [
      envelope({
        type: "ENTITY_PARTIAL_UPDATE_V2",
        user: "hive",
        entityId: {
          typeName: "hive_db",
          uniqueAttributes: { qualifiedName: `never-created${QN_SUFFIX}` },
        },
        entity: { entity: { typeName: "hive_db", attributes: { description: "x" } } },
      }),
    ],
    [failed("STORE_ENTITY_NOT_FOUND")],
  );

  // Valid in unusual but legal ways.
  const legacy = g.name("legacy-bare");
  add("valid/legacy-bare-body", [JSON.stringify(v2Create(legacy))], [applied(legacy)]);
  const old = g.name("older-version");
  add(
    "valid/older-version-0.9",
    [envelope(v2Create(old), { version: { version: "0.9", versionParts: [0, 9] } })],
    [applied(old)],
  );
  const dupKeys = g.name("duplicate-keys");
  add(
    "valid/duplicate-json-keys-last-wins",
    [
      envelope(v2Create(dupKeys, { description: "first" })).replace(
        '"description":"first"',
        '"description":"first","description":"last"',
      ),
    ],
    [applied(dupKeys, { description: "last" })],
  );
  const v1 = g.name("v1-create");
  add(
    "valid/v1-entity-create",
    [envelope(v1Create(v1, { description: "from V1" }))],
    [applied(v1, { description: "from V1" })],
  );
  const full = g.name("full-update");
  add(
    "valid/full-update-v2",
    [envelope(v2Create(full, {}, "ENTITY_FULL_UPDATE_V2"))],
    [applied(full)],
  );
  const spooled = g.name("spooled");
  add(
    "valid/spooled-odd-informational-fields",
    [
      envelope(v2Create(spooled), {
        spooled: "yes",
        msgSourceIP: 12,
        msgCreatedBy: ["x"],
        msgCreationTime: "soon",
        source: { name: "\u{1F600}" },
      }),
    ],
    [applied(spooled)],
  );
  return cases;
}

// ---- generated cases -------------------------------------------------------------------

/** A required field path of a V2 or V1 body, how to delete it, and how to give it a wrong type. */
interface FieldMutation {
  path: string;
  body: (name: string) => Record<string, unknown>;
  get: (body: Record<string, unknown>) => { parent: Record<string, unknown>; key: string };
  /** JSON kinds that are wrong for it. */
  wrong: unknown[];
  /** An absent optional field is fine; only wrong types fail. */
  optional?: boolean;
}

const at = (obj: unknown, ...keys: (string | number)[]): Record<string, unknown> =>
  keys.reduce<Record<string, unknown>>(
    (o, k) => (o as Record<string | number, unknown>)[k] as Record<string, unknown>,
    obj as Record<string, unknown>,
  );

const FIELDS: FieldMutation[] = [
  {
    path: "type",
    body: (n) => v2Create(n),
    get: (b) => ({ parent: b, key: "type" }),
    wrong: [7, true, [], {}, ""],
  },
  {
    path: "user",
    optional: true,
    body: (n) => v2Create(n),
    get: (b) => ({ parent: b, key: "user" }),
    wrong: [7, true, [], {}],
  },
  {
    path: "entities",
    body: (n) => v2Create(n),
    get: (b) => ({ parent: b, key: "entities" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entities.entities",
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities"), key: "entities" }),
    wrong: [7, "x", {}, true],
  },
  {
    path: "entities.entities[0]",
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities", "entities"), key: "0" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entities.entities[0].typeName",
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities", "entities", 0), key: "typeName" }),
    wrong: [7, true, [], {}, ""],
  },
  {
    path: "entities.entities[0].attributes",
    optional: true,
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities", "entities", 0), key: "attributes" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entities.entities[0].guid",
    optional: true,
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities", "entities", 0), key: "guid" }),
    wrong: [7, true, [], {}],
  },
  {
    path: "entities.referredEntities",
    optional: true,
    body: (n) => v2Create(n),
    get: (b) => ({ parent: at(b, "entities"), key: "referredEntities" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entityId",
    body: (n) => ({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      entityId: { typeName: "hive_db", uniqueAttributes: { qualifiedName: `${n}${QN_SUFFIX}` } },
      entity: { entity: { typeName: "hive_db", attributes: {} } },
    }),
    get: (b) => ({ parent: b, key: "entityId" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entity",
    body: (n) => ({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      entityId: { typeName: "hive_db", uniqueAttributes: { qualifiedName: `${n}${QN_SUFFIX}` } },
      entity: { entity: { typeName: "hive_db", attributes: {} } },
    }),
    get: (b) => ({ parent: b, key: "entity" }),
    wrong: [7, "x", [], true],
  },
  {
    path: "entities (delete)",
    body: (n) => ({
      type: "ENTITY_DELETE_V2",
      entities: [{ typeName: "hive_db", uniqueAttributes: { qualifiedName: `${n}${QN_SUFFIX}` } }],
    }),
    get: (b) => ({ parent: b, key: "entities" }),
    wrong: [7, "x", {}, true],
  },
  {
    path: "typeName (V1 delete)",
    body: (n) => ({
      type: "ENTITY_DELETE",
      typeName: "hive_db",
      attribute: "qualifiedName",
      attributeValue: `${n}${QN_SUFFIX}`,
    }),
    get: (b) => ({ parent: b, key: "typeName" }),
    wrong: [7, true, [], {}, ""],
  },
  {
    path: "attribute (V1 partial update)",
    body: (n) => ({
      type: "ENTITY_PARTIAL_UPDATE",
      typeName: "hive_db",
      attribute: "qualifiedName",
      attributeValue: `${n}${QN_SUFFIX}`,
      entity: { typeName: "hive_db", values: {} },
    }),
    get: (b) => ({ parent: b, key: "attribute" }),
    wrong: [7, true, [], {}, ""],
  },
  {
    path: "entities (V1 create)",
    body: (n) => v1Create(n),
    get: (b) => ({ parent: b, key: "entities" }),
    wrong: [7, "x", {}, true],
  },
];

const UNKNOWN_TYPES = [
  "TYPE_CREATE",
  "TYPE_UPDATE",
  "ENTITY_CREATE_V3",
  "entity_create_v2",
  "ENTITY_CREATE_V2 ",
  "ENTITY_PURGE",
  "CLASSIFICATION_ADD",
  "\u{1F4A5}",
  "ENTITY_CREATE_V2\u0000",
];

const BAD_ENVELOPES: [string, Record<string, unknown>][] = [
  ["version-as-string", { version: "1.0.0" }],
  ["version-as-number", { version: 1 }],
  ["version-not-numeric", { version: { version: "one.two" } }],
  ["version-parts-negative", { version: { versionParts: [-1] } }],
  ["version-parts-strings", { version: { versionParts: ["1"] } }],
  ["version-empty", { version: {} }],
  ["compression-snappy", { msgCompressionKind: "SNAPPY" }],
  ["compression-lowercase", { msgCompressionKind: "gzip" }],
  ["compression-number", { msgCompressionKind: 1 }],
  ["split-count-string", { msgSplitCount: "2" }],
  ["split-count-negative", { msgSplitCount: -2 }],
  ["message-missing", { message: undefined }],
  ["message-null", { message: null }],
  ["gzip-message-object", { msgCompressionKind: "GZIP", message: { a: 1 } }],
];

function generated(g: Gen): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (
    id: string,
    values: KafkaValue[],
    outcomes: Outcome[],
    more: Partial<CorpusCase> = {},
  ) => cases.push({ id, values, outcomes, ...more });

  // Valid messages in every encoding, with awkward text, some split and interleaved.
  for (let i = 0; i < 50; i++) {
    const name = g.name("valid");
    const text = `${g.pick(AWKWARD_TEXT)} #${g.int(0, 1e6)}`;
    const body =
      g.random() < 0.2
        ? v1Create(name, { description: text })
        : v2Create(
            name,
            { description: text },
            g.pick(["ENTITY_CREATE_V2", "ENTITY_FULL_UPDATE_V2"]),
          );
    const encoding = g.pick([
      "NONE",
      "NONE",
      "GZIP",
      "split-NONE",
      "split-GZIP",
      "legacy",
    ] as const);
    const outcome = applied(name, { description: text });
    if (encoding === "legacy") add(`valid/legacy-${i}`, [JSON.stringify(body)], [outcome]);
    else if (encoding === "NONE" || encoding === "GZIP")
      add(
        `valid/${encoding}-${i}`,
        encodeHookMessage(body, { compression: encoding, msgId: `msg-${name}` }),
        [outcome],
      );
    else {
      const padded = { ...body, padding: g.text(g.int(500, 3000)) };
      const values = splitParts(
        padded,
        `msg-${name}`,
        encoding === "split-GZIP" ? "GZIP" : "NONE",
        encoding === "split-GZIP" ? 400 : g.int(300, 900),
      );
      add(`valid/${encoding}-${i}`, g.random() < 0.5 ? g.shuffle(values) : values, [outcome], {
        interleave: true,
      });
    }
  }

  // Truncated at a random point: a strict prefix of a JSON object is never JSON.
  for (let i = 0; i < 25; i++) {
    const text = envelope(v2Create(g.name("trunc"), { description: g.pick(AWKWARD_TEXT) }));
    // Cut between code points, so the prefix is still UTF-8 and the failure is the JSON.
    const chars = [...text];
    add(
      `bad-json/truncated-${i}`,
      [chars.slice(0, g.int(1, chars.length - 1)).join("")],
      [failed("HOOK_BAD_JSON")],
    );
  }
  for (let i = 0; i < 10; i++) {
    const junk = Array.from({ length: g.int(1, 200) }, () =>
      String.fromCharCode(g.int(0x20, 0x7e)),
    ).join("");
    add(`bad-json/garbage-${i}`, [`#${junk}`], [failed("HOOK_BAD_JSON")]);
  }

  // Bytes that are not UTF-8, at a random place inside a string value.
  for (let i = 0; i < 15; i++) {
    const [what, bytes] = g.pick(Object.entries(INVALID_UTF8));
    const body = envelope(
      v2Create(g.name("bad-utf8"), {
        description: `${"a".repeat(g.int(0, 50))}@@RAW@@${"b".repeat(g.int(0, 50))}`,
      }),
    );
    const [before, after] = body.split("@@RAW@@") as [string, string];
    add(`utf8/${what}-${i}`, [utf8WithRaw(before, bytes, after)], [failed("HOOK_BAD_JSON")]);
  }

  // Newer versions.
  for (let i = 0; i < 10; i++) {
    const version: { version?: string; versionParts?: number[] } = g.pick([
      () => ({ version: `${g.int(2, 99)}.0.0`, versionParts: [g.int(2, 99)] }),
      () => ({ version: `1.0.${g.int(1, 9)}`, versionParts: [1, 0, g.int(1, 9)] }),
      () => ({ version: `1.${g.int(1, 9)}` }),
      () => ({ versionParts: [1, g.int(1, 9)] }),
    ])();
    add(
      `newer-version/${version.version ?? version.versionParts?.join(".")}-${i}`,
      [envelope(v2Create(g.name("newer")), { version })],
      [failed("HOOK_UNSUPPORTED_VERSION")],
    );
  }

  // Envelope fields of the wrong shape.
  for (let i = 0; i < 16; i++) {
    const [what, extra] = g.pick(BAD_ENVELOPES);
    add(
      `bad-envelope/${what}-${i}`,
      [envelope(v2Create(g.name("env")), extra)],
      [failed("HOOK_BAD_ENVELOPE")],
    );
  }

  // GZIP text that is not base64: one character outside the alphabet.
  for (let i = 0; i < 15; i++) {
    const [value] = encodeHookMessage(v2Create(g.name("b64")), { compression: "GZIP" });
    const doc = JSON.parse(value!) as { message: string };
    const at = g.int(0, doc.message.length);
    doc.message = `${doc.message.slice(0, at)}${g.pick(["!", "*", "-", "_", " ", ".", "\u00e9", "%"])}${doc.message.slice(at)}`;
    add(`bad-base64/${i}`, [JSON.stringify(doc)], [failed("HOOK_BAD_BASE64")]);
  }

  // Truncated gzip streams (valid base64 of a cut stream).
  for (let i = 0; i < 15; i++) {
    const gz = gzipSync(
      Buffer.from(envelope(v2Create(g.name("gz"), { description: "d".repeat(g.int(10, 2000)) }))),
    );
    const cut = gz.subarray(0, g.int(1, gz.length - 1)).toString("base64");
    add(
      `truncated-gzip/${i}`,
      [
        JSON.stringify({
          version: VERSION,
          msgId: g.name("tgz"),
          msgCompressionKind: "GZIP",
          msgSplitIdx: 1,
          msgSplitCount: 1,
          message: cut,
        }),
      ],
      [failed("HOOK_BAD_GZIP")],
    );
  }

  // Unknown notification types.
  for (let i = 0; i < 10; i++) {
    add(
      `unknown-type/${i}`,
      [envelope({ ...v2Create(g.name("unknown")), type: g.pick(UNKNOWN_TYPES) })],
      [failed("HOOK_UNKNOWN_TYPE")],
    );
  }

  // Required fields removed (null counts as absent), and fields of the wrong JSON type.
  for (let i = 0; i < 15; i++) {
    const field = g.pick(FIELDS.filter((f) => !f.optional));
    const body = field.body(g.name("missing"));
    const { parent, key } = field.get(body);
    // Deleted from a list, an item leaves a hole that JSON writes as null: absent too.
    if (g.random() < 0.5) delete parent[key];
    else parent[key] = null;
    add(`missing-field/${field.path}-${i}`, [envelope(body)], [failed("HOOK_MISSING_FIELD")]);
  }
  for (let i = 0; i < 25; i++) {
    const field = g.pick(FIELDS);
    const body = field.body(g.name("wrong-type"));
    const { parent, key } = field.get(body);
    parent[key] = g.pick(field.wrong);
    add(`wrong-type/${field.path}-${i}`, [envelope(body)], [failed("HOOK_INVALID_FIELD")]);
  }

  // Part index out of range.
  for (let i = 0; i < 8; i++) {
    const count = g.int(2, 9);
    const index = g.pick([count, count + g.int(1, 1000), -g.int(1, 1000)]);
    add(
      `split-range/${index}-of-${count}-${i}`,
      [part(g.name("range"), index, count, "AAAA")],
      [failed("HOOK_SPLIT_INDEX_OUT_OF_RANGE")],
    );
  }

  // Splits missing parts: some parts sent, never all.
  for (let i = 0; i < 12; i++) {
    const name = g.name("incomplete");
    const values = splitParts(
      v2Create(name, { description: g.text(g.int(1000, 4000)) }),
      `msg-${name}`,
      g.pick(["GZIP", "NONE"] as const),
      300,
    );
    const sent = g
      .shuffle(values.map((_, j) => j))
      .slice(0, g.int(1, values.length - 1))
      .sort((a, b) => a - b);
    add(
      `split-missing/${sent.length}-of-${values.length}-${i}`,
      sent.map((j) => values[j]!),
      [
        failed(
          "HOOK_SPLIT_INCOMPLETE",
          sent.map((_, k) => k),
        ),
      ],
      {
        droppedSplits: 1,
        interleave: g.random() < 0.5,
      },
    );
  }
  return cases;
}

/**
 * The corpus for `seed`: hand-written and generated cases shuffled, then laid out as a
 * stream; interleaved cases put one value after each following case.
 */
export function buildCorpus(seed: number): Corpus {
  const g = new Gen(seed);
  const cases = g.shuffle([...handWritten(g), ...generated(g)]);
  const stream: StreamRecord[] = [];
  const later = new Map<number, StreamRecord[]>();
  cases.forEach((c, caseIndex) => {
    const records = c.values.map((value, valueIndex) => ({ value, caseIndex, valueIndex }));
    if (c.interleave) {
      stream.push(records[0]!);
      records
        .slice(1)
        .forEach((r, k) =>
          later.set(caseIndex + k + 1, [...(later.get(caseIndex + k + 1) ?? []), r]),
        );
    } else {
      stream.push(...records);
    }
    stream.push(...(later.get(caseIndex) ?? []));
    later.delete(caseIndex);
  });
  for (const key of [...later.keys()].sort((a, b) => a - b)) stream.push(...later.get(key)!);
  return { cases, stream };
}

/** Counts for the report and the assertions. */
export function corpusStats(corpus: Corpus) {
  const outcomes = corpus.cases.flatMap((c) => c.outcomes);
  return {
    cases: corpus.cases.length,
    records: corpus.stream.length,
    bytes: corpus.stream.reduce(
      (n, r) => n + (r.value === null ? 0 : Buffer.byteLength(r.value)),
      0,
    ),
    invalidCases: corpus.cases.filter((c) => c.outcomes.some((o) => o.kind === "failed")).length,
    applied: outcomes.filter((o) => o.kind === "applied").length,
    failedRecords: outcomes.reduce((n, o) => n + (o.kind === "failed" ? o.records.length : 0), 0),
    duplicates: outcomes.reduce((n, o) => n + (o.kind === "duplicate" ? o.records.length : 0), 0),
    droppedSplits: corpus.cases.reduce((n, c) => n + (c.droppedSplits ?? 0), 0),
  };
}
