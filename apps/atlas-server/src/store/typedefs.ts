/**
 * Typedefs as Atlas's typedef store keeps them (AtlasTypeDefGraphStore and its V2 def stores):
 * what a create fills in, what an update may change, what blocks a delete, and the search
 * filter of GET /types/typedefs (Atlas's SearchFilter / FilterUtil). Backend-independent: the
 * store runs these inside its fenced write transactions (store.ts), migrate() seeds with them.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import {
  CATEGORY_LISTS,
  emptyTypesDef,
  flattenTypesDef,
  type AnyTypeDef,
  type AtlasAttributeDef,
  type AtlasClassificationDef,
  type AtlasEntityDef,
  type AtlasRelationshipDef,
  type AtlasRelationshipEndDef,
  type AtlasStructDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import {
  StoreInvalidTypedefError,
  StoreTypedefNotFoundError,
  StoreTypeExistsError,
  StoreTypeInUseError,
} from "./errors.js";
import type { StoredTypedef } from "./sql.js";
import { TypeRegistry } from "./typesystem.js";

/** Atlas's AtlasAbstractDefStoreV2 NAME_REGEX, and the `__` of its internal types. */
const NAME = /^(?:__)?[A-Za-z][A-Za-z0-9_ ]*$/;
/** AtlasBaseTypeDef.ATLAS_PRIMITIVE_TYPES plus objectid: attribute types that need no typedef. */
const PRIMITIVES = new Set([
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
const MAX_DEPTH = 16;
const CARDINALITIES = new Set(["SINGLE", "LIST", "SET"]);
const RELATIONSHIP_CATEGORIES = new Set(["ASSOCIATION", "AGGREGATION", "COMPOSITION"]);
const INT_MAX = 2147483647;
const COMPUTED = ["subTypes", "relationshipAttributeDefs", "businessAttributeDefs"];
const E = ATLAS_ERRORS;

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

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(message: string, code: string = E.INVALID_TYPEDEF.code): StoreInvalidTypedefError {
  return new StoreInvalidTypedefError(message, code);
}

function depth(value: unknown, limit: number): number {
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
function withoutNulls(value: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && k !== "__proto__") out[k] = v;
  return out;
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw invalid(`${where}: expected a list of type names`);
  return value as string[];
}

function optionalString(def: Json, key: string, where: string): void {
  if (def[key] !== undefined && typeof def[key] !== "string")
    throw invalid(`${where}.${key}: expected a string`);
}

/**
 * An attribute as Atlas returns it: the flags it defaults (optional false, SINGLE, not
 * unique, not indexed, searchWeight -1) and the value counts it derives from them.
 */
function normalizeAttribute(value: unknown, where: string): AtlasAttributeDef {
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

function normalizeEnd(value: unknown, where: string): AtlasRelationshipEndDef {
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

/** The type names an attribute type refers to: `array<map<string,hive_column>>` → hive_column. */
export function referencedTypeNames(typeName: string): string[] {
  const t = typeName.trim();
  if (t.startsWith("array<") && t.endsWith(">")) return referencedTypeNames(t.slice(6, -1));
  if (t.startsWith("map<") && t.endsWith(">")) {
    const inner = t.slice(4, -1);
    const comma = inner.indexOf(",");
    if (comma < 0) return [inner];
    return [
      ...referencedTypeNames(inner.slice(0, comma)),
      ...referencedTypeNames(inner.slice(comma + 1)),
    ];
  }
  return PRIMITIVES.has(t) ? [] : [t];
}

/** Every other type a def refers to, with what the reference is (for a delete's 409). */
function references(entry: StoredTypedef): { type: string; as: string; relationship: boolean }[] {
  const { category, def } = entry;
  const out: { type: string; as: string; relationship: boolean }[] = [];
  for (const a of (def as AtlasStructDef).attributeDefs ?? []) {
    for (const type of referencedTypeNames(a.typeName))
      out.push({ type, as: `attribute ${def.name}.${a.name}`, relationship: false });
  }
  for (const sup of (def as AtlasEntityDef).superTypes ?? [])
    out.push({ type: sup, as: `supertype of ${def.name}`, relationship: false });
  for (const t of (def as AtlasClassificationDef).entityTypes ?? [])
    out.push({ type: t, as: `entityTypes of ${def.name}`, relationship: false });
  if (category === "RELATIONSHIP") {
    const rel = def as AtlasRelationshipDef;
    for (const end of [rel.endDef1, rel.endDef2])
      if (end) out.push({ type: end.type, as: `end of ${def.name}`, relationship: true });
  }
  return out;
}

/**
 * What Atlas's registry checks when types are added or replaced (resolveReferences): every
 * type a def names exists (else BAD_REQUEST, ATLAS-400-00-029, "Given typename … was
 * invalid"), supertypes are of the def's own category, relationship ends are entity types.
 */
function checkReferences(registry: TypeRegistry, checked: StoredTypedef[]): void {
  for (const entry of checked) {
    for (const ref of references(entry)) {
      const target = registry.get(ref.type);
      if (!target)
        throw invalid(
          `Given typename ${ref.type} was invalid (${ref.as})`,
          E.TYPEDEF_BAD_REQUEST.code,
        );
      const expected = ref.as.startsWith("supertype")
        ? entry.category
        : ref.relationship || ref.as.startsWith("entityTypes")
          ? "ENTITY"
          : undefined;
      if (expected && target.category !== expected)
        throw invalid(`${entry.def.name}: ${ref.type} (${ref.as}) is not a ${expected} type`);
    }
    if (entry.category === "STRUCT" && (entry.def as AtlasStructDef).attributeDefs.length === 0)
      throw invalid("Missing attributes for structdef", E.TYPEDEF_BAD_REQUEST.code);
  }
}

/**
 * Checks `defs` against `existing` and returns them ready to store, or throws:
 * StoreTypeExistsError when a name is taken (nothing is created, as in Atlas),
 * StoreInvalidTypedefError when a def is malformed or refers to unknown types. As Atlas's
 * createTypeVertex, a guid, version or times the client gives are kept; createdBy and
 * updatedBy are the caller; a blank description becomes the name.
 */
export function prepareTypedefs(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
  stamp: Stamp,
): StoredTypedef[] {
  const requested = requestTypedefs(defs);
  const names = new Set<string>();
  const guids = new Set(existing.all().map((e) => e.def.guid));
  const prepared = requested.map(({ category, def }) => {
    if (existing.has(def.name) || names.has(def.name)) throw new StoreTypeExistsError(def.name);
    names.add(def.name);
    const guid = def.guid && !guids.has(def.guid) ? def.guid : stamp.newGuid();
    guids.add(guid);
    return {
      category,
      def: {
        ...def,
        category,
        guid,
        createdBy: stamp.user,
        updatedBy: stamp.user,
        createTime: def.createTime ?? stamp.now,
        updateTime: def.updateTime ?? stamp.now,
        version: def.version ?? 1,
        description: def.description || def.name,
        typeVersion: def.typeVersion || "1.0",
      },
    };
  });
  // Supertypes, references and cycles are checked against old and new types together.
  checkReferences(new TypeRegistry([...existing.all(), ...prepared]), prepared);
  return prepared;
}

function findExisting(
  existing: TypeRegistry,
  entry: StoredTypedef,
): { category: TypeCategory; def: AnyTypeDef } {
  const { category, def } = entry;
  if (def.guid) {
    const found = existing.all().find((e) => e.def.guid === def.guid);
    if (!found) throw new StoreTypedefNotFoundError({ guid: def.guid });
    if (found.category !== category) {
      throw invalid(
        `Given type ${def.name} doesn't match ${category}`,
        E.INCOMPATIBLE_TYPEDEF_UPDATE.code,
      );
    }
    if (found.def.name !== def.name) {
      throw category === "RELATIONSHIP"
        ? invalid(
            `invalid relationshipDef rename for relationship guid ${def.guid}: new name ${def.name}, existing name ${found.def.name}`,
            E.RELATIONSHIPDEF_RENAME.code,
          )
        : invalid(
            `${found.def.name}: a type cannot be renamed (to ${def.name})`,
            E.TYPEDEF_BAD_REQUEST.code,
          );
    }
    return found;
  }
  const found = existing.get(def.name);
  // Atlas looks the type up by name and category: another category's type is not found.
  if (!found || found.category !== category)
    throw new StoreTypedefNotFoundError({ name: def.name });
  return found;
}

/** Atlas's AtlasStructDefStoreV2.updateVertexPreUpdate and the supertype / end rules. */
function checkUpdate(current: AnyTypeDef, next: AnyTypeDef, category: TypeCategory): void {
  const name = current.name;
  if (category !== "ENUM") {
    const currentAttrs = (current as AtlasStructDef).attributeDefs ?? [];
    const nextAttrs = new Map((next as AtlasStructDef).attributeDefs.map((a) => [a.name, a]));
    for (const a of currentAttrs) {
      if (!nextAttrs.has(a.name))
        throw invalid(
          `${name}.${a.name} : attribute delete not supported`,
          E.ATTRIBUTE_DELETION_NOT_SUPPORTED.code,
        );
    }
    const byName = new Map(currentAttrs.map((a) => [a.name, a]));
    for (const a of nextAttrs.values()) {
      const was = byName.get(a.name);
      if (!was && !a.isOptional)
        throw invalid(
          `${name}.${a.name} : can not add mandatory attribute`,
          E.CANNOT_ADD_MANDATORY_ATTRIBUTE.code,
        );
      if (was && was.typeName !== a.typeName)
        throw invalid(
          `Data type update for attribute is not supported (${name}.${a.name}: ${was.typeName} → ${a.typeName})`,
          E.TYPEDEF_BAD_REQUEST.code,
        );
    }
  }
  if (category === "ENTITY" || category === "CLASSIFICATION") {
    const nextSupers = new Set((next as AtlasEntityDef).superTypes ?? []);
    if (!((current as AtlasEntityDef).superTypes ?? []).every((s) => nextSupers.has(s)))
      throw invalid("superType remove not supported", E.SUPERTYPE_REMOVAL_NOT_SUPPORTED.code);
  }
  if (category === "CLASSIFICATION") {
    const nextTypes = (next as AtlasClassificationDef).entityTypes ?? [];
    const currentTypes = (current as AtlasClassificationDef).entityTypes ?? [];
    // An empty list lifts the restriction; a non-empty one may only add to it.
    if (nextTypes.length > 0 && !currentTypes.every((t) => nextTypes.includes(t)))
      throw invalid(
        `EntityTypes cannot be removed from ClassificationDef ‘${name}‘`,
        E.ENTITYTYPE_REMOVAL_NOT_SUPPORTED.code,
      );
  }
  if (category === "RELATIONSHIP") {
    const was = current as AtlasRelationshipDef;
    const now = next as AtlasRelationshipDef;
    if ((was.relationshipCategory ?? "ASSOCIATION") !== now.relationshipCategory)
      throw invalid(
        `invalid  update for relationship ${name}: new relationshipDef category ${now.relationshipCategory}, existing relationshipDef category ${was.relationshipCategory}`,
        E.RELATIONSHIPDEF_CATEGORY_UPDATE.code,
      );
    const same = (a: AtlasRelationshipEndDef, b: AtlasRelationshipEndDef) =>
      a.type === b.type &&
      a.name === b.name &&
      (a.isContainer ?? false) === (b.isContainer ?? false) &&
      (a.cardinality ?? "SINGLE") === (b.cardinality ?? "SINGLE");
    if (!same(was.endDef1, now.endDef1))
      throw invalid(
        `invalid update for relationshipDef ${name}: new end1 ${JSON.stringify(now.endDef1)}, existing end1 ${JSON.stringify(was.endDef1)}`,
        E.RELATIONSHIPDEF_END1_UPDATE.code,
      );
    if (!same(was.endDef2, now.endDef2))
      throw invalid(
        `invalid update for relationshipDef ${name}: new end2 ${JSON.stringify(now.endDef2)}, existing end2 ${JSON.stringify(was.endDef2)}`,
        E.RELATIONSHIPDEF_END2_UPDATE.code,
      );
  }
}

/**
 * PUT /types/typedefs: each def replaces the stored one found by guid (when given) or name,
 * under Atlas's rules — attributes may be added if optional, never removed or retyped;
 * supertypes and a classification's entityTypes only added; a relationship's category and
 * ends fixed. The result keeps guid, createdBy and createTime, and has updatedBy, updateTime
 * and version + 1 (Atlas bumps the version on every update, even one that changes nothing).
 */
export function prepareUpdate(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
  stamp: Stamp,
): StoredTypedef[] {
  const updated = new Map<string, StoredTypedef>();
  for (const entry of requestTypedefs(defs)) {
    const found = updated.get(entry.def.name) ?? findExisting(existing, entry);
    const current = found.def;
    const next = entry.def;
    checkUpdate(current, next, entry.category);
    updated.set(current.name, {
      category: entry.category,
      def: {
        ...next,
        category: entry.category,
        guid: current.guid,
        createdBy: current.createdBy,
        createTime: current.createTime,
        updatedBy: stamp.user,
        updateTime: stamp.now,
        version: (current.version ?? 1) + 1,
        description: next.description || current.description,
        typeVersion: next.typeVersion || current.typeVersion,
        ...(next.serviceType || current.serviceType
          ? { serviceType: next.serviceType || current.serviceType }
          : {}),
      },
    });
  }
  const prepared = [...updated.values()];
  const combined = existing.all().map((e) => updated.get(e.def.name) ?? e);
  checkReferences(new TypeRegistry(combined), prepared);
  return prepared;
}

/**
 * DELETE /types/typedefs (and typedef/name/{name}): the stored defs the request names, by
 * guid when given, else by name; an unknown one is a 404 and nothing is deleted.
 */
export function resolveDeletes(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
): StoredTypedef[] {
  if (!isObject(defs)) throw invalid("typedefs must be a JSON object");
  const out = new Map<string, StoredTypedef>();
  // Atlas's order: relationships first (they refer to entity types), enums and business
  // metadata last.
  const order: TypeCategory[] = [
    "RELATIONSHIP",
    "STRUCT",
    "CLASSIFICATION",
    "ENTITY",
    "ENUM",
    "BUSINESS_METADATA",
  ];
  for (const category of order) {
    const list = (defs as Json)[CATEGORY_LISTS[category]];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw invalid(`${CATEGORY_LISTS[category]} must be a list`);
    list.forEach((value, i) => {
      const where = `${CATEGORY_LISTS[category]}[${i}]`;
      if (!isObject(value)) throw invalid(`${where}: expected {name} or {guid}`);
      const guid = typeof value.guid === "string" && value.guid.trim() !== "" ? value.guid : null;
      const name = typeof value.name === "string" ? value.name : null;
      if (!guid && !name) throw invalid(`${where}: a name or a guid is required`);
      const found = guid
        ? existing.all().find((e) => e.def.guid === guid && e.category === category)
        : existing.get(name!);
      if (!found || found.category !== category)
        throw new StoreTypedefNotFoundError(guid ? { guid } : { name: name! });
      out.set(found.def.name, found);
    });
  }
  return [...out.values()];
}

/**
 * What Atlas's deleteTypeVertex and the entity def store refuse: a type that types not being
 * deleted with it refer to (ATLAS-409-00-002), an entity type that relationshipDefs not being
 * deleted name as an end (ATLAS-409-00-005). Instances are checked by the store (they are rows).
 */
export function checkDeletable(deleting: StoredTypedef[], existing: TypeRegistry): void {
  const names = new Set(deleting.map((d) => d.def.name));
  const refs = existing
    .all()
    .filter((e) => !names.has(e.def.name))
    .flatMap((e) => references(e));
  for (const { def, category } of deleting) {
    const relationship = refs.find((r) => r.type === def.name && r.relationship);
    if (relationship && category === "ENTITY")
      throw new StoreTypeInUseError(def.name, "relationships", relationship.as);
    const other = refs.find((r) => r.type === def.name);
    if (other) throw new StoreTypeInUseError(def.name, "references", other.as);
  }
}

/**
 * Atlas's AtlasBusinessMetadataDefStoreV2.validateDeletion: with `force` nothing is checked;
 * without it a def with a non-indexable attribute is refused (its references cannot be checked
 * cheaply, ATLAS-400-00-107). True when the caller must still check for references.
 */
export function checkBusinessMetadataDelete(entry: StoredTypedef, force: boolean): boolean {
  if (entry.category !== "BUSINESS_METADATA") return true;
  if (force) return false;
  const def = entry.def;
  if ((def as AtlasStructDef).attributeDefs?.some((a) => !a.isIndexable)) {
    throw invalid(
      `Deletion not allowed for non-indexable Business Metadata '${def.name}' without force=true. Non-indexable attributes cannot be validated efficiently for references; use force=true to skip validation and delete (warning: orphaned references may remain).`,
      E.NON_INDEXABLE_BM_DELETE_NOT_ALLOWED.code,
    );
  }
  return true;
}

/** Atlas's FilterUtil predicates; an unknown `type` matches nothing, as in Atlas. */
export function matchesFilter(
  registry: TypeRegistry,
  entry: { category: TypeCategory; def: AnyTypeDef },
  filter: TypedefFilter,
): boolean {
  const { category, def } = entry;
  const supertypes = () => {
    if (category === "ENTITY") return registry.entityType(def.name).superTypes;
    if (category !== "CLASSIFICATION") return new Set<string>();
    const all = new Set<string>();
    const visit = (name: string) => {
      const sup = registry.get(name);
      for (const s of (sup?.def as AtlasClassificationDef | undefined)?.superTypes ?? []) {
        if (all.has(s)) continue;
        all.add(s);
        visit(s);
      }
    };
    visit(def.name);
    return all;
  };
  const isSubtypeOf = (name: string) =>
    (category === "ENTITY" || category === "CLASSIFICATION") && supertypes().has(name);
  if (filter.type) {
    const wanted: Record<string, TypeCategory> = {
      CLASS: "ENTITY",
      ENTITY: "ENTITY",
      TRAIT: "CLASSIFICATION",
      CLASSIFICATION: "CLASSIFICATION",
      STRUCT: "STRUCT",
      ENUM: "ENUM",
      RELATIONSHIP: "RELATIONSHIP",
      BUSINESS_METADATA: "BUSINESS_METADATA",
    };
    if (wanted[filter.type.toUpperCase()] !== category) return false;
  }
  if (filter.name && def.name !== filter.name) return false;
  if (filter.servicetype && def.serviceType !== filter.servicetype) return false;
  if (filter.supertype && !isSubtypeOf(filter.supertype)) return false;
  if (filter.notsupertype && isSubtypeOf(filter.notsupertype)) return false;
  if (filter.notservicetype && def.serviceType === filter.notservicetype) return false;
  for (const notName of filter.notname ?? []) if (def.name === notName) return false;
  return true;
}

/**
 * The relationship attributes an entity type has from the relationshipDefs whose ends name it
 * or a supertype (Atlas's AtlasRelationshipType.addRelationshipAttributeToEndType): typed with
 * the other end (`array<…>` for a SET end), optional unless the child end of a COMPOSITION, an
 * `ownedRef` on a container end; an attribute the type already has is the legacy one.
 */
function relationshipAttributeDefs(registry: TypeRegistry, name: string): Json[] {
  const types = new Set([name, ...registry.entityType(name).superTypes]);
  const own = registry.entityType(name).attributes;
  const out: Json[] = [];
  for (const { category, def } of registry.all()) {
    if (category !== "RELATIONSHIP") continue;
    const rel = def as AtlasRelationshipDef;
    for (const [end, other] of [
      [rel.endDef1, rel.endDef2],
      [rel.endDef2, rel.endDef1],
    ] as const) {
      if (!end?.name || !other || !types.has(end.type)) continue;
      const composition = rel.relationshipCategory === "COMPOSITION";
      const legacy = own.get(end.name);
      const attribute: Json = legacy
        ? { ...legacy }
        : {
            name: end.name,
            typeName: end.cardinality === "SET" ? `array<${other.type}>` : other.type,
            isOptional: !(composition && !end.isContainer),
            cardinality: end.cardinality ?? "SINGLE",
            valuesMinCount: -1,
            valuesMaxCount: -1,
            isUnique: false,
            isIndexable: false,
            includeInNotification: false,
            searchWeight: -1,
            ...(composition && end.isContainer ? { constraints: [{ type: "ownedRef" }] } : {}),
          };
      out.push({
        ...attribute,
        relationshipTypeName: rel.name,
        isLegacyAttribute: legacy !== undefined || end.isLegacyAttribute === true,
      });
    }
  }
  return out;
}

/**
 * A stored typedef as a read answers it: an entity def with its direct `subTypes` and its
 * `relationshipAttributeDefs`, which Atlas's AtlasEntityType computes (the store keeps only
 * superTypes and the relationshipDefs).
 */
export function readTypedef(
  registry: TypeRegistry,
  entry: { category: TypeCategory; def: AnyTypeDef },
): AnyTypeDef {
  const def = structuredClone(entry.def);
  if (entry.category !== "ENTITY") return def;
  const subTypes = registry
    .all()
    .filter(
      (e) => e.category === "ENTITY" && (e.def as AtlasEntityDef).superTypes?.includes(def.name),
    )
    .map((e) => e.def.name);
  return {
    ...def,
    subTypes,
    relationshipAttributeDefs: relationshipAttributeDefs(registry, def.name),
  };
}

/** Stored typedefs grouped the way GET /types/typedefs answers (with `registry`: as read). */
export function groupTypedefs(defs: StoredTypedef[], registry?: TypeRegistry): AtlasTypesDef {
  const out = emptyTypesDef();
  for (const entry of defs) {
    (out[CATEGORY_LISTS[entry.category]] as unknown[]).push(
      registry ? readTypedef(registry, entry) : structuredClone(entry.def),
    );
  }
  return out;
}

/** GET /types/typedefs/headers: Atlas's AtlasTypeUtil.toTypeDefHeader, list by list. */
export function typedefHeaders(defs: AtlasTypesDef): TypedefHeader[] {
  const out: TypedefHeader[] = [];
  for (const list of Object.values(CATEGORY_LISTS)) {
    for (const def of defs[list] as AnyTypeDef[]) {
      out.push({
        ...(def.guid ? { guid: def.guid } : {}),
        name: def.name,
        category: def.category!,
        ...(def.serviceType ? { serviceType: def.serviceType } : {}),
      });
    }
  }
  return out;
}

/** A name Atlas knows as a built-in type without a typedef (GET typedef/name answers 400 SYSTEM_TYPE). */
export function systemTypeCategory(name: string): "PRIMITIVE" | "ARRAY" | "MAP" | null {
  if (PRIMITIVES.has(name)) return "PRIMITIVE";
  if (name.startsWith("array<") && name.endsWith(">")) return "ARRAY";
  if (name.startsWith("map<") && name.endsWith(">")) return "MAP";
  return null;
}

function systemAttribute(name: string, typeName: string, isUnique = false): AtlasAttributeDef {
  return {
    name,
    typeName,
    isOptional: false,
    cardinality: "SINGLE",
    valuesMinCount: -1,
    valuesMaxCount: -1,
    isUnique,
    isIndexable: true,
    includeInNotification: false,
    searchWeight: -1,
  };
}

/**
 * What Atlas's entitydef/name/_ALL_ENTITY_TYPES and classificationdef/name/_ALL_CLASSIFICATION_TYPES
 * (any case) answer: the root types of its system attributes (AtlasEntityType.ENTITY_ROOT,
 * AtlasClassificationType's root). Null for any other name.
 */
export function rootTypedef(category: TypeCategory, name: string): AnyTypeDef | null {
  if (category === "ENTITY" && name === "_ALL_ENTITY_TYPES") {
    return {
      category: "ENTITY",
      name: "__ENTITY_ROOT",
      description: "Root entity for system attributes",
      typeVersion: "1.0",
      attributeDefs: [
        systemAttribute("__timestamp", "date"),
        systemAttribute("__modificationTimestamp", "date"),
        systemAttribute("__modifiedBy", "string"),
        systemAttribute("__createdBy", "string"),
        systemAttribute("__state", "string"),
        systemAttribute("__guid", "string", true),
        systemAttribute("__historicalGuids", "string", true),
        systemAttribute("__typeName", "string"),
        systemAttribute("__classificationsText", "string"),
        systemAttribute("__classificationNames", "string"),
        systemAttribute("__propagatedClassificationNames", "string"),
        systemAttribute("__isIncomplete", "int"),
        systemAttribute("__labels", "string"),
        systemAttribute("__customAttributes", "string"),
        systemAttribute("__pendingTasks", "string"),
      ],
      superTypes: [],
      subTypes: [],
      relationshipAttributeDefs: [],
    };
  }
  if (category === "CLASSIFICATION" && name.toUpperCase() === "_ALL_CLASSIFICATION_TYPES") {
    return {
      category: "CLASSIFICATION",
      name: "__CLASSIFICATION_ROOT",
      description: "Root classification for system attributes",
      typeVersion: "1.0",
      attributeDefs: [
        systemAttribute("__typeName", "string"),
        systemAttribute("__timestamp", "date"),
        systemAttribute("__modificationTimestamp", "date"),
        systemAttribute("__modifiedBy", "string"),
        systemAttribute("__createdBy", "string"),
        systemAttribute("__entityStatus", "string"),
      ],
      superTypes: [],
      entityTypes: [],
      subTypes: [],
    };
  }
  return null;
}
