/**
 * A typedef request as Atlas's typedef store reads it: names, attribute and end defs checked
 * and normalized (defaults filled in, computed fields dropped), in Atlas's order of kinds.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import {
  CATEGORY_LISTS,
  flattenTypesDef,
  type AnyTypeDef,
  type AtlasAttributeDef,
  type AtlasRelationshipEndDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import { StoreInvalidTypedefError } from "./errors.js";
import type { StoredTypedef } from "./sql.js";

/** Atlas's AtlasAbstractDefStoreV2 NAME_REGEX, and the `__` of its internal types. */
export const NAME = /^(?:__)?[A-Za-z][A-Za-z0-9_ ]*$/;
/** AtlasBaseTypeDef.ATLAS_PRIMITIVE_TYPES plus objectid: attribute types that need no typedef. */
export const PRIMITIVES = new Set([
  "boolean",
  "byte",
  "short",
  "int",
  "long",
  "float",
  "double",
  "biginteger",
  "bigdecimal",
  "string",
  "date",
  "objectid",
]);
/** A typedef is a flat document; deeper JSON than this is refused before it is stored. */
export const MAX_DEPTH = 16;
export const CARDINALITIES = new Set(["SINGLE", "LIST", "SET"]);
export const RELATIONSHIP_CATEGORIES = new Set(["ASSOCIATION", "AGGREGATION", "COMPOSITION"]);
export const INT_MAX = 2147483647;
export const COMPUTED = ["subTypes", "relationshipAttributeDefs", "businessAttributeDefs"];
export const E = ATLAS_ERRORS;

export interface Stamp {
  user: string;
  now: number;
  newGuid: () => string;
}

/** The query of GET /types/typedefs[/headers], as Atlas's SearchFilter holds it. */
export interface TypedefFilter {
  /** ENTITY (or CLASS), CLASSIFICATION (or TRAIT), STRUCT, ENUM, RELATIONSHIP, BUSINESS_METADATA; case-insensitive. */
  type?: string;
  name?: string;
  /** Entity or classification types that have it among their supertypes (transitively, not itself). */
  supertype?: string;
  notsupertype?: string;
  servicetype?: string;
  notservicetype?: string;
  notname?: string[];
}

/** Atlas's AtlasTypeDefHeader (null fields left out). */
export interface TypedefHeader {
  guid?: string;
  name: string;
  category: TypeCategory;
  serviceType?: string;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function invalid(
  message: string,
  code: string = E.INVALID_TYPEDEF.code,
): StoreInvalidTypedefError {
  return new StoreInvalidTypedefError(message, code);
}

export function depth(value: unknown, limit: number): number {
  if (typeof value !== "object" || value === null) return 0;
  if (limit <= 0) return 1;
  let max = 0;
  for (const v of Object.values(value)) max = Math.max(max, depth(v, limit - 1));
  return max + 1;
}

/**
 * Explicit nulls (the Python client sends every unset field as null) mean "absent". A
 * `__proto__` key (JSON.parse makes it an own property) is dropped, never assigned.
 */
export function withoutNulls(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && k !== "__proto__") out[k] = v;
  return out;
}

export function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw invalid(`${where}: expected a list of type names`);
  return value as string[];
}

export function optionalString(def: Json, key: string, where: string): void {
  if (def[key] !== undefined && typeof def[key] !== "string")
    throw invalid(`${where}.${key}: expected a string`);
}

/**
 * An attribute as Atlas returns it: the flags it defaults (optional false, SINGLE, not
 * unique, not indexed, searchWeight -1) and the value counts it derives from them.
 */
export function normalizeAttribute(value: unknown, where: string): AtlasAttributeDef {
  if (!isObject(value)) throw invalid(`${where}: expected an attribute definition`);
  const a = withoutNulls(value);
  if (typeof a.name !== "string" || a.name === "") throw invalid(`${where}.name: required`);
  if (typeof a.typeName !== "string" || a.typeName === "")
    throw invalid(`${where}.typeName: required`);
  for (const flag of ["isOptional", "isUnique", "isIndexable", "includeInNotification"]) {
    if (a[flag] !== undefined && typeof a[flag] !== "boolean")
      throw invalid(`${where}.${flag}: expected true or false`);
  }
  const cardinality = a.cardinality ?? "SINGLE";
  if (typeof cardinality !== "string" || !CARDINALITIES.has(cardinality))
    throw invalid(`${where}.cardinality: expected SINGLE, LIST or SET`);
  for (const count of ["valuesMinCount", "valuesMaxCount", "searchWeight"]) {
    if (a[count] !== undefined && !Number.isInteger(a[count]))
      throw invalid(`${where}.${count}: expected an integer`);
  }
  if (
    a.constraints !== undefined &&
    (!Array.isArray(a.constraints) || !a.constraints.every(isObject))
  )
    throw invalid(`${where}.constraints: expected a list of constraints`);
  const isOptional = (a.isOptional as boolean | undefined) ?? false;
  const givenMin = (a.valuesMinCount as number | undefined) ?? 0;
  const givenMax = (a.valuesMaxCount as number | undefined) ?? 0;
  const single = cardinality === "SINGLE";
  return {
    ...a,
    name: a.name,
    typeName: a.typeName,
    isOptional,
    cardinality: cardinality as AtlasAttributeDef["cardinality"],
    valuesMinCount: isOptional ? 0 : single ? 1 : Math.max(givenMin, 1),
    valuesMaxCount: single ? 1 : givenMax < 2 ? INT_MAX : givenMax,
    isUnique: (a.isUnique as boolean | undefined) ?? false,
    isIndexable: (a.isIndexable as boolean | undefined) ?? false,
    includeInNotification: (a.includeInNotification as boolean | undefined) ?? false,
    searchWeight: a.searchWeight ?? -1,
  };
}

export function normalizeEnd(value: unknown, where: string): AtlasRelationshipEndDef {
  if (!isObject(value)) throw invalid(`${where}: expected an end definition {type, name}`);
  const end = withoutNulls(value);
  if (typeof end.type !== "string" || typeof end.name !== "string")
    throw invalid(`${where}: an end needs a type and a name`);
  const cardinality = end.cardinality ?? "SINGLE";
  if (typeof cardinality !== "string" || !CARDINALITIES.has(cardinality))
    throw invalid(`${where}.cardinality: expected SINGLE, LIST or SET`);
  if (end.isContainer !== undefined && typeof end.isContainer !== "boolean")
    throw invalid(`${where}.isContainer: expected true or false`);
  return {
    ...end,
    type: end.type,
    name: end.name,
    isContainer: end.isContainer ?? false,
    cardinality: cardinality as AtlasRelationshipEndDef["cardinality"],
    isLegacyAttribute: (end.isLegacyAttribute as boolean | undefined) ?? false,
  };
}

/**
 * One def of a request, checked for shape and with nulls dropped. A name that is not
 * Atlas's `[a-zA-Z][a-zA-Z0-9_ ]*` (or `__` before it) is ATLAS-400-00-019, as in Atlas.
 */
export function normalizeTypedef(
  category: TypeCategory,
  value: unknown,
  index: number,
): AnyTypeDef {
  const list = CATEGORY_LISTS[category];
  const where = `${list}[${index}]`;
  if (!isObject(value)) throw invalid(`${where}: expected a type definition object`);
  if (depth(value, MAX_DEPTH + 1) > MAX_DEPTH)
    throw invalid(`${where}: nested more than ${MAX_DEPTH} levels deep`);
  const def = withoutNulls(value);
  // What Atlas computes from the type system and returns on reads, never stores.
  for (const computed of COMPUTED) delete def[computed];
  if (typeof def.name !== "string" || def.name === "")
    throw invalid(`${where}.name: every ${list} item needs a name`);
  if (!NAME.test(def.name)) {
    throw invalid(
      `${def.name}: invalid name for ${category}.  Names must consist of a letter followed by a sequence of letter, number, space, or '_' characters`,
      E.TYPE_NAME_INVALID_FORMAT.code,
    );
  }
  const named = `${list} ${def.name}`;
  for (const key of ["guid", "description", "typeVersion", "serviceType", "createdBy", "updatedBy"])
    optionalString(def, key, named);
  for (const key of ["createTime", "updateTime", "version"]) {
    if (def[key] !== undefined && !Number.isSafeInteger(def[key]))
      throw invalid(`${named}.${key}: expected an integer`);
  }
  if (def.category !== undefined && def.category !== category)
    throw invalid(`${named}.category: ${JSON.stringify(def.category)} in ${list}`);
  if (def.options !== undefined && !isObject(def.options))
    throw invalid(`${named}.options: expected an object of strings`);
  const out: Json = { ...def, category };
  if (category === "ENUM") {
    const elements = def.elementDefs ?? [];
    if (
      !Array.isArray(elements) ||
      !elements.every((e) => isObject(e) && typeof e.value === "string")
    )
      throw invalid(`${named}.elementDefs: expected a list of {value, ordinal}`);
    out.elementDefs = elements.map((e, i) => {
      const element = withoutNulls(e as Json);
      if (element.ordinal !== undefined && !Number.isInteger(element.ordinal))
        throw invalid(`${named}.elementDefs[${i}].ordinal: expected an integer`);
      return element;
    });
    return out as unknown as AnyTypeDef;
  }
  const attributes = def.attributeDefs ?? [];
  if (!Array.isArray(attributes)) throw invalid(`${named}.attributeDefs: expected a list`);
  out.attributeDefs = attributes.map((a, i) =>
    normalizeAttribute(a, `${named}.attributeDefs[${i}]`),
  );
  const names = new Set<string>();
  for (const a of out.attributeDefs as AtlasAttributeDef[]) {
    if (names.has(a.name)) throw invalid(`${named}: attribute ${a.name} is defined twice`);
    names.add(a.name);
  }
  if (category === "ENTITY" || category === "CLASSIFICATION")
    out.superTypes = stringList(def.superTypes, `${named}.superTypes`) ?? [];
  if (category === "CLASSIFICATION")
    out.entityTypes = stringList(def.entityTypes, `${named}.entityTypes`) ?? [];
  if (category === "RELATIONSHIP") {
    const relationshipCategory = def.relationshipCategory ?? "ASSOCIATION";
    if (
      typeof relationshipCategory !== "string" ||
      !RELATIONSHIP_CATEGORIES.has(relationshipCategory)
    )
      throw invalid(
        `${named}.relationshipCategory: expected ASSOCIATION, AGGREGATION or COMPOSITION`,
      );
    out.relationshipCategory = relationshipCategory;
    out.propagateTags = def.propagateTags ?? "NONE";
    out.endDef1 = normalizeEnd(def.endDef1, `${named}.endDef1`);
    out.endDef2 = normalizeEnd(def.endDef2, `${named}.endDef2`);
  }
  return out as unknown as AnyTypeDef;
}

/** The defs of a request body, in Atlas's order (enums, structs, …), checked and normalized. */
export function requestTypedefs(defs: Partial<AtlasTypesDef>): StoredTypedef[] {
  if (!isObject(defs)) throw invalid("typedefs must be a JSON object");
  for (const list of Object.values(CATEGORY_LISTS)) {
    const value = (defs as Json)[list];
    if (value !== undefined && value !== null && !Array.isArray(value))
      throw invalid(`${list} must be a list`);
  }
  const counters = new Map<TypeCategory, number>();
  return flattenTypesDef(defs).map(({ category, def }) => {
    const index = counters.get(category) ?? 0;
    counters.set(category, index + 1);
    return { category, def: normalizeTypedef(category, def, index) };
  });
}
