/**
 * Request bodies as Atlas clients send them. The official Python client serialises every
 * unset field as an explicit null (`"guid": null`, `"classifications": null`,
 * `"referredEntities": null`), so nulls at the entity and container level mean "absent".
 * Nulls inside `attributes` are kept: there they are values.
 */
import { errors } from "../http/errors.js";
import type { MetadataStore } from "../store/types.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutNulls(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = v;
  return out;
}

export function normalizeEntity(value: unknown, where: string): Json {
  if (!isObject(value)) throw errors.invalid(`${where}: expected an entity object`);
  const entity = withoutNulls(value);
  if (typeof entity.typeName !== "string" || entity.typeName.trim() === "") {
    throw errors.invalid(`${where}.typeName: expected a type name`);
  }
  for (const key of ["attributes", "relationshipAttributes"] as const) {
    if (entity[key] !== undefined && !isObject(entity[key]))
      throw errors.invalid(`${where}.${key}: expected an object`);
  }
  if (entity.guid !== undefined && typeof entity.guid !== "string")
    throw errors.invalid(`${where}.guid: expected a string`);
  if (entity.classifications !== undefined && !Array.isArray(entity.classifications)) {
    throw errors.invalid(`${where}.classifications: expected a list`);
  }
  return entity;
}

function referred(value: unknown, where: string): Record<string, Json> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw errors.invalid(`${where}: expected an object of guid → entity`);
  const out: Record<string, Json> = {};
  for (const [guid, entity] of Object.entries(value)) {
    if (entity === null) continue;
    out[guid] = normalizeEntity(entity, `${where}["${guid}"]`);
  }
  return out;
}

/** `POST /v2/entity` body: `{ entity, referredEntities }`. */
export function entityWithExtInfo(body: Json): {
  entities: Json[];
  referredEntities: Record<string, Json>;
} {
  if (body.entity === undefined || body.entity === null) throw errors.invalid("entity: required");
  return {
    entities: [normalizeEntity(body.entity, "entity")],
    referredEntities: referred(body.referredEntities, "referredEntities"),
  };
}

/** `POST /v2/entity/bulk` body: `{ entities: [...], referredEntities }`. */
export function entitiesWithExtInfo(body: Json): {
  entities: Json[];
  referredEntities: Record<string, Json>;
} {
  if (!Array.isArray(body.entities) || body.entities.length === 0)
    throw errors.invalid("entities: expected a non-empty list");
  return {
    entities: body.entities.map((e, i) => normalizeEntity(e, `entities[${i}]`)),
    referredEntities: referred(body.referredEntities, "referredEntities"),
  };
}

/** Boolean query parameters are read case-insensitively (`True`, `false`). */
export function booleanParam(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null || value === "") return fallback;
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  const text = (typeof last === "string" ? last : JSON.stringify(last)).toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  throw errors.invalid(`${name}: expected true or false, got ${JSON.stringify(value)}`);
}

export function integerParam(
  value: unknown,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === null || value === "") return fallback;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  if (!/^-?\d+$/.test(text)) throw errors.invalid(`${name}: expected an integer, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw errors.invalid(`${name}: expected ${min}–${max}, got ${n}`);
  return n;
}

export function stringParam(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  return text === "" ? undefined : text;
}

const GUID = /^[A-Za-z0-9-]{1,64}$/;
export function guidParam(guid: string): string {
  if (!GUID.test(guid)) throw errors.invalid(`"${guid.slice(0, 80)}" is not a valid guid`);
  return guid;
}

/** `minExtInfo` and `ignoreRelationships` of the entity reads. */
export function retrieveOptions(query: Record<string, unknown>) {
  return {
    minExtInfo: booleanParam(query.minExtInfo, "minExtInfo", false),
    ignoreRelationships: booleanParam(query.ignoreRelationships, "ignoreRelationships", false),
  };
}

/** The `attr:qualifiedName` of the uniqueAttribute routes (the last one when repeated). */
export function qualifiedNameParam(query: Record<string, unknown>): string {
  const qualifiedName = stringParam(query["attr:qualifiedName"]);
  if (!qualifiedName) throw errors.invalid("attr:qualifiedName: required query parameter");
  return qualifiedName;
}

/** An entity route's `{typeName}` must name an entity type (Atlas: 400 ATLAS-400-00-014). */
export async function ensureEntityType(
  store: Pick<MetadataStore, "getTypedef">,
  typeName: string,
): Promise<void> {
  if ((await store.getTypedef(typeName))?.category !== "ENTITY") throw errors.unknownType(typeName);
}
