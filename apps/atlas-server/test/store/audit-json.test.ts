/**
 * An audit event's entity text is built around the JSON its row was written with
 * (entities.ts storedEntityJson): it must be the very text JSON.stringify gives the entity.
 */
import { describe, expect, it } from "vitest";
import {
  jsonContainer,
  jsonScalar,
  storedEntityJson,
  toStoredEntity,
  type EntityJsonColumns,
  type EntityRecord,
} from "../../src/store/entities.js";

function record(extra: Partial<EntityRecord> = {}): EntityRecord {
  return Object.assign(
    {
      typeName: "hive_db",
      guid: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      status: "ACTIVE" as const,
      version: 0,
      isIncomplete: false,
      createdBy: "hive",
      updatedBy: "hive",
      createTime: 1_733_000_000_000,
      updateTime: 1_733_000_000_000,
      attributes: { qualifiedName: "sales@cl1", name: "sales", clusterName: "cl1" },
      relationshipAttributes: {},
      classifications: [],
      qualifiedName: "sales@cl1",
      name: "sales",
      writeEpoch: 1,
      writeSeq: 7,
      createSeq: 7,
      labels: [],
      customAttributes: {},
      businessAttributes: {},
    },
    extra,
  );
}

/** The texts a row gets (sql.ts recordParams). */
function columns(r: EntityRecord): EntityJsonColumns {
  return {
    attributes: JSON.stringify(r.attributes),
    relationshipAttributes: JSON.stringify(r.relationshipAttributes),
    classifications: JSON.stringify(r.classifications),
    labels: JSON.stringify(r.labels),
    customAttributes: JSON.stringify(r.customAttributes),
    businessAttributes: JSON.stringify(r.businessAttributes),
  };
}

describe("storedEntityJson", () => {
  it.each<[string, Partial<EntityRecord>]>([
    ["a plain created entity", {}],
    ["an incomplete, deleted, updated one", { isIncomplete: true, status: "DELETED", version: 3 }],
    [
      "quotes, backslashes, control and non-ASCII characters in its strings",
      {
        typeName: 'odd "type"',
        createdBy: "dom\\user\n",
        updatedBy: "zoë \u2028 \u0001",
        attributes: { qualifiedName: 'a"b\\c', description: "tab\there", nested: [{ x: null }] },
      },
    ],
    [
      "relationship attributes and classifications",
      {
        relationshipAttributes: { db: { guid: "g1", typeName: "hive_db" } },
        classifications: [{ typeName: "PII", attributes: {}, propagate: false }],
      },
    ],
    ["labels only", { labels: ["gold", "eu"] }],
    ["custom attributes only", { customAttributes: { team: "sales" } }],
    ["business attributes only", { businessAttributes: { bm: { owner: "x", level: 2 } } }],
    [
      "labels, custom and business attributes",
      {
        labels: ["a"],
        customAttributes: { k: "v" },
        businessAttributes: { bm: { flag: true } },
      },
    ],
  ])("is JSON.stringify(toStoredEntity(record)) for %s", (_, extra) => {
    const r = record(extra);
    const text = storedEntityJson(r, columns(r));
    expect(text).toBe(JSON.stringify(toStoredEntity(r)));
    expect(JSON.parse(text)).toEqual(toStoredEntity(r));
  });

  it("takes the attribute texts it is given rather than stringifying the record's again", () => {
    const r = record();
    const text = storedEntityJson(r, { ...columns(r), attributes: '{"from":"the row"}' });
    expect(JSON.parse(text).attributes).toEqual({ from: "the row" });
  });
});

describe("jsonScalar and jsonContainer", () => {
  it.each<[string, string | number | boolean]>([
    ["a plain string", "hive_db"],
    ["an empty string", ""],
    ["a quote", 'a"b'],
    ["a backslash", "a\\b"],
    ["control characters", "\u0000\t\n\u001f"],
    ["line and paragraph separators", "\u2028\u2029"],
    ["a surrogate pair", "\u{1f600}"],
    ["a lone surrogate", "\ud800x"],
    ["non-ASCII text", "zoë 東京"],
    ["an integer", 1_733_000_000_000],
    ["zero and minus zero", -0],
    ["a fraction", 0.1],
    ["a large number", 1e21],
    ["NaN", Number.NaN],
    ["infinity", -Infinity],
    ["true", true],
    ["false", false],
  ])("jsonScalar gives JSON.stringify's text for %s", (_, value) => {
    expect(jsonScalar(value)).toBe(JSON.stringify(value));
  });

  it.each<[string, unknown[] | object]>([
    ["an empty list", []],
    ["an empty map", {}],
    ["a list", [1, "a", { b: null }]],
    ["a map", { a: 1, b: [2] }],
    ["a map whose only value is undefined", { a: undefined }],
    ["a map without a prototype", Object.assign(Object.create(null) as object, { a: 1 })],
  ])("jsonContainer gives JSON.stringify's text for %s", (_, value) => {
    expect(jsonContainer(value)).toBe(JSON.stringify(value));
  });
});
