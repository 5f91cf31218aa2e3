/**
 * Entities as stored (EntityRecord, one database row), and how they turn into Atlas JSON:
 * full entities, headers, and the references inside attribute values. Backend-independent.
 */
import type { AtlasClassification, JsonValue } from "@atlas-ha/atlas-model";
import type { AtlasEntityHeader, StoredEntity } from "./types.js";

/** One row of the entities table, JSON columns parsed: the entity plus what the store keeps beside it. */
export interface EntityRecord extends StoredEntity {
  /** Copied from attributes.qualifiedName for the unique index and search; null when absent. */
  qualifiedName: string | null;
  /** Copied from attributes.name for search; null when absent. */
  name: string | null;
  /** Epoch of the write that last touched the row. */
  writeEpoch: number;
  /** Write-log seq of that write. */
  writeSeq: number;
  /** Write-log seq of the write that created the row (search order). */
  createSeq: number;
  labels: string[];
  customAttributes: Record<string, string>;
  /** Business metadata name → its attributes' values. */
  businessAttributes: Record<string, Record<string, JsonValue>>;
}

/** Who writes, when, and where in the write log: what a write stamps on the rows it touches. */
export interface WriteMarks {
  epoch: number;
  seq: number;
  user: string;
  now: number;
}

/** The fields a row (entity or relationship) gets when a write creates it. */
export function createdMarks({ epoch, seq, user, now }: WriteMarks) {
  return {
    version: 0,
    createdBy: user,
    updatedBy: user,
    createTime: now,
    updateTime: now,
    writeEpoch: epoch,
    writeSeq: seq,
    createSeq: seq,
  };
}

/** Stamps a changed row (entity or relationship) with the write that changes it. */
export function touch(
  row: {
    version: number;
    updatedBy: string;
    updateTime: number;
    writeEpoch: number;
    writeSeq: number;
  },
  { epoch, seq, user, now }: WriteMarks,
): void {
  row.version += 1;
  row.updatedBy = user;
  row.updateTime = now;
  row.writeEpoch = epoch;
  row.writeSeq = seq;
}

/** Atlas placeholders are negative numbers (as strings), resolved within one request. */
export function isPlaceholder(guid: string): boolean {
  return guid.startsWith("-");
}

export function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A reference inside an attribute value: an Atlas object id. */
export interface ObjectRef {
  typeName: string;
  guid?: string;
  uniqueAttributes?: Record<string, JsonValue>;
  [extra: string]: JsonValue | undefined;
}

/**
 * An object id is an object with a `typeName` and a `guid` or `uniqueAttributes`. A struct
 * value (`{typeName, attributes}`) is not one, and neither is a plain map.
 */
export function isObjectRef(value: unknown): value is ObjectRef {
  if (!isObject(value) || typeof value.typeName !== "string") return false;
  return typeof value.guid === "string" || isObject(value.uniqueAttributes);
}

/** The reference's guid; absent when missing, null or empty (bodies may carry explicit nulls). */
export function refGuid(ref: ObjectRef): string | undefined {
  return typeof ref.guid === "string" && ref.guid !== "" ? ref.guid : undefined;
}

/**
 * Deepest nesting the store accepts in an entity (the entity object is level 1). Real
 * entities nest a few levels (a struct in a list in an attribute); the walks over attribute
 * values recurse, so a body nested thousands deep would otherwise overflow the stack and
 * turn into a 500, or a retried hook message.
 */
export const MAX_ENTITY_DEPTH = 64;

/** The first entity of `entities` nested deeper than MAX_ENTITY_DEPTH, by its key. */
export function tooDeep(entities: Iterable<[string, unknown]>): string | undefined {
  for (const [key, entity] of entities) {
    if (typeof entity === "object" && entity !== null && deeperThanMax(entity, 1)) return key;
  }
  return undefined;
}

/**
 * Whether an object inside `value` (at `depth`) lies deeper than MAX_ENTITY_DEPTH. Objects
 * only (scalars end no path deeper); the recursion stops one level past the limit, so a body
 * nested thousands deep costs 65 frames. No array of values per object: this runs on every
 * entity of every write.
 */
function deeperThanMax(value: object, depth: number): boolean {
  if (depth > MAX_ENTITY_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === "object" && child !== null && deeperThanMax(child, depth + 1))
        return true;
    }
  } else {
    for (const name in value) {
      const child: unknown = (value as Record<string, unknown>)[name];
      if (typeof child === "object" && child !== null && deeperThanMax(child, depth + 1))
        return true;
    }
  }
  return false;
}

/** Calls `visit` for every object id inside an attribute value (lists, maps, structs). */
export function forEachRef(value: JsonValue | undefined, visit: (ref: ObjectRef) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachRef(item, visit);
  } else if (isObjectRef(value)) {
    visit(value);
  } else if (isObject(value)) {
    for (const item of Object.values(value)) forEachRef(item, visit);
  }
}

/** Rebuilds an attribute value with every object id replaced by `map(ref)`. */
export async function mapRefs(
  value: JsonValue,
  map: (ref: ObjectRef) => Promise<JsonValue>,
): Promise<JsonValue> {
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) out.push(await mapRefs(item, map));
    return out;
  }
  if (isObjectRef(value)) return map(value);
  if (isObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await mapRefs(v, map);
    return out;
  }
  return value;
}

/** Guids referenced by the entity's attributes and relationship attributes. */
export function referencedGuids(
  record: Pick<EntityRecord, "attributes" | "relationshipAttributes">,
): string[] {
  const guids = new Set<string>();
  const add = (ref: ObjectRef): void => {
    const guid = refGuid(ref);
    if (guid !== undefined) guids.add(guid);
  };
  for (const v of Object.values(record.attributes)) forEachRef(v, add);
  for (const v of Object.values(record.relationshipAttributes)) forEachRef(v, add);
  return [...guids];
}

/** The object id the store writes for a reference to `record`. */
export function refTo(
  record: EntityRecord,
  extra: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  return {
    guid: record.guid,
    typeName: record.typeName,
    uniqueAttributes: record.qualifiedName === null ? {} : { qualifiedName: record.qualifiedName },
    ...extra,
  };
}

export function stringAttr(attributes: Record<string, JsonValue>, name: string): string | null {
  const v = attributes[name];
  return typeof v === "string" ? v : null;
}

export function toStoredEntity(record: EntityRecord): StoredEntity {
  return {
    typeName: record.typeName,
    guid: record.guid,
    status: record.status,
    version: record.version,
    isIncomplete: record.isIncomplete,
    createdBy: record.createdBy,
    updatedBy: record.updatedBy,
    createTime: record.createTime,
    updateTime: record.updateTime,
    attributes: record.attributes,
    relationshipAttributes: record.relationshipAttributes,
    classifications: record.classifications,
    // As Atlas: present when set.
    ...(record.labels.length > 0 ? { labels: record.labels } : {}),
    ...(hasKey(record.customAttributes) ? { customAttributes: record.customAttributes } : {}),
    ...(hasKey(record.businessAttributes) ? { businessAttributes: record.businessAttributes } : {}),
  };
}

/** The JSON texts of a record's structured fields, as its row stores them (sql.ts recordParams). */
export interface EntityJsonColumns {
  attributes: string;
  relationshipAttributes: string;
  classifications: string;
  labels: string;
  customAttributes: string;
  businessAttributes: string;
}

/** A character JSON.stringify writes as an escape (or a lone surrogate's). */
const JSON_ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * JSON.stringify of a string, number or boolean, as the same text: the call costs ~100 ns
 * even for a short plain string, and a written entity has a dozen of them.
 */
export function jsonScalar(value: string | number | boolean): string {
  if (typeof value === "string")
    return JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
  return typeof value === "number" && !Number.isFinite(value) ? "null" : String(value);
}

/** JSON.stringify of a list or a map of JSON values; an empty one without the call. */
export function jsonContainer(value: readonly unknown[] | object): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : JSON.stringify(value);
  return hasKey(value) ? JSON.stringify(value) : "{}";
}

/** Whether `value` has an enumerable key (its own, for JSON objects); no array of keys made. */
export function hasKey(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

/**
 * `JSON.stringify(toStoredEntity(record))`, built around the JSON texts the record's row
 * already has (`json`, made from this same record): an audit event carries the whole entity,
 * and stringifying its attributes a second time was ~4% of a hook message's CPU.
 */
export function storedEntityJson(record: EntityRecord, json: EntityJsonColumns): string {
  let out =
    `{"typeName":${jsonScalar(record.typeName)},"guid":${jsonScalar(record.guid)},` +
    `"status":${jsonScalar(record.status)},"version":${jsonScalar(record.version)},` +
    `"isIncomplete":${jsonScalar(record.isIncomplete)},"createdBy":${jsonScalar(record.createdBy)},` +
    `"updatedBy":${jsonScalar(record.updatedBy)},"createTime":${jsonScalar(record.createTime)},` +
    `"updateTime":${jsonScalar(record.updateTime)},"attributes":${json.attributes},` +
    `"relationshipAttributes":${json.relationshipAttributes},` +
    `"classifications":${json.classifications}`;
  if (record.labels.length > 0) out += `,"labels":${json.labels}`;
  if (hasKey(record.customAttributes)) out += `,"customAttributes":${json.customAttributes}`;
  if (hasKey(record.businessAttributes)) out += `,"businessAttributes":${json.businessAttributes}`;
  return `${out}}`;
}

const HEADER_ATTRIBUTES = ["qualifiedName", "name", "owner", "description"];

export function toHeader(record: EntityRecord): AtlasEntityHeader {
  const attributes: Record<string, JsonValue> = {};
  for (const name of HEADER_ATTRIBUTES) {
    const v = record.attributes[name];
    if (v !== undefined && v !== null) attributes[name] = v;
  }
  return {
    typeName: record.typeName,
    guid: record.guid,
    status: record.status,
    displayText: record.name ?? record.qualifiedName ?? record.guid,
    attributes,
    classificationNames: record.classifications.map((c) => c.typeName),
    isIncomplete: record.isIncomplete,
  };
}

/** JSON with object keys sorted: equal content gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The status and classifications of a contentOf() text: what propagation compares. */
export function contentClassifications(content: string): {
  status: string;
  classifications: AtlasClassification[];
} {
  const [, status, , , , classifications] = JSON.parse(content) as [
    unknown,
    string,
    unknown,
    unknown,
    unknown,
    AtlasClassification[],
  ];
  return { status, classifications };
}

/** What makes two versions of an entity different (not times, users, version, write marks). */
export function contentOf(record: EntityRecord): string {
  return canonicalJson([
    record.typeName,
    record.status,
    record.isIncomplete,
    record.attributes,
    record.relationshipAttributes,
    record.classifications,
    record.labels,
    record.customAttributes,
    record.businessAttributes,
  ]);
}
