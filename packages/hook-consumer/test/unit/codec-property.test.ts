import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeBody,
  encodeHookMessage,
  HookDecoder,
  toWireBody,
  type HookNotification,
  type JsonValue,
} from "../../src/index.js";
import { decodeAll } from "../helpers/decode.js";

// Random V2 bodies of every type, with unicode and nested attribute values.
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "grapheme" }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie("value"), { maxKeys: 3 }),
  ),
})).value;

const guid = fc.oneof(fc.bigInt({ min: -(2n ** 62n), max: -1n }).map(String), fc.uuid());
const typeName = fc.constantFrom(
  "hive_db",
  "hive_table",
  "hive_column",
  "hdfs_path",
  "kafka_topic",
  "hbase_table",
);
const entity = fc.record(
  {
    typeName,
    guid,
    attributes: fc.record({
      qualifiedName: fc.string({ unit: "grapheme", minLength: 1 }),
      name: fc.string(),
      extra: json,
    }),
    relationshipAttributes: fc.dictionary(fc.constantFrom("db", "columns", "inputs"), json, {
      maxKeys: 2,
    }),
    isIncomplete: fc.boolean(),
    version: fc.nat(),
  },
  { requiredKeys: ["typeName", "attributes"] },
);
const objectId = fc.record({
  typeName,
  uniqueAttributes: fc.record({ qualifiedName: fc.string({ minLength: 1 }) }),
});
const user = fc.option(fc.constantFrom("hive", "hbase", "spark", "ünïcødé"), { nil: undefined });

const body: fc.Arbitrary<Record<string, unknown>> = fc
  .oneof(
    fc.record({
      type: fc.constantFrom("ENTITY_CREATE_V2", "ENTITY_FULL_UPDATE_V2"),
      user,
      entities: fc.record({
        entities: fc.array(entity, { maxLength: 5 }),
        referredEntities: fc.dictionary(guid, entity, { maxKeys: 3 }),
      }),
    }),
    fc.record({
      type: fc.constant("ENTITY_PARTIAL_UPDATE_V2"),
      user,
      entityId: objectId,
      entity: fc.record({ entity, referredEntities: fc.constant({}) }),
    }),
    fc.record({
      type: fc.constant("ENTITY_DELETE_V2"),
      user,
      entities: fc.array(objectId, { maxLength: 5 }),
    }),
  )
  .map((b) => {
    const copy: Record<string, unknown> = { ...b };
    if (copy.user === undefined) delete copy.user;
    return copy;
  });

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("the encoder and decoder agree on any message", () => {
  it("encode → decode gives back the body's notification, whatever the compression and chunk size", () => {
    fc.assert(
      fc.property(
        body,
        fc.constantFrom("auto", "GZIP", "NONE" as const),
        fc.integer({ min: 8, max: 4000 }),
        (b, compression, max) => {
          const expected = decodeBody(b);
          const values = encodeHookMessage(b, {
            compression,
            maxMessageBytes: max,
            msgCreationTime: 1,
          });
          const { notification, envelope } = decodeAll(values);
          expect(notification).toEqual(expected);
          expect(envelope.splitCount).toBe(values.length);
          expect(envelope.msgCreationTime).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("split parts reassemble in any arrival order", () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 8, max: 200 }), fc.nat(), (b, max, seed) => {
        const values = encodeHookMessage(b, { compression: "GZIP", maxMessageBytes: max });
        const decoder = new HookDecoder<number>();
        const order = shuffle(
          values.map((_, i) => i),
          seed,
        );
        const results = order.map((i) => decoder.decode(values[i], i));
        const last = results.at(-1);
        expect(results.slice(0, -1).every((r) => r.status === "pending")).toBe(true);
        if (last?.status !== "complete") throw new Error(JSON.stringify(last));
        expect(last.notification).toEqual(decodeBody(b as JsonValue));
        expect(last.parts).toEqual(values.map((_, i) => i));
      }),
      { numRuns: 200 },
    );
  });

  it("a notification → wire body → notification is the identity", () => {
    fc.assert(
      fc.property(body, (b) => {
        const n: HookNotification = decodeBody(b);
        expect(decodeBody(toWireBody(n))).toEqual(n);
      }),
      { numRuns: 200 },
    );
  });

  it("each slice of a split message is at most maxMessageBytes of base64", () => {
    let split = 0;
    fc.assert(
      fc.property(body, fc.integer({ min: 4, max: 100 }), (b, max) => {
        const values = encodeHookMessage(b, { compression: "NONE", maxMessageBytes: max });
        if (values.length === 1) {
          // Not split: then it was small enough to go as one plain envelope.
          expect(Buffer.byteLength(values[0]!, "utf8")).toBeLessThanOrEqual(max);
          return;
        }
        split += 1;
        const docs = values.map(
          (v) => JSON.parse(v) as { message: string; msgSplitIdx: number; msgSplitCount: number },
        );
        for (const doc of docs) expect(doc.message.length).toBeLessThanOrEqual(max);
        expect(docs.map((d) => [d.msgSplitIdx, d.msgSplitCount])).toEqual(
          docs.map((_, i) => [i, docs.length]),
        );
      }),
      { numRuns: 100 },
    );
    // Every envelope is longer than 100 bytes, so every run splits: the checks above ran.
    expect(split).toBe(100);
  });

  it("a small message is sent as one plain envelope unless GZIP is asked for, as Atlas does", () => {
    const b = { type: "ENTITY_DELETE_V2", user: "hive", entities: [] };
    const [plain, ...rest] = encodeHookMessage(b);
    expect(rest).toEqual([]);
    expect(JSON.parse(plain as string)).toMatchObject({
      version: { version: "1.0.0", versionParts: [1] },
      msgCompressionKind: "NONE",
      msgSplitIdx: 1,
      msgSplitCount: 1,
      message: b,
    });
    const [gz] = encodeHookMessage(b, { compression: "GZIP", msgId: "id-1" });
    expect(JSON.parse(gz as string)).toMatchObject({
      msgId: "id-1",
      msgCompressionKind: "GZIP",
      msgSplitIdx: 1,
      msgSplitCount: 1,
    });
  });
});
