/**
 * Attribute validation of an entity against its typedefs, as Atlas's
 * AtlasEntityStoreV2.preCreateOrUpdate does it (docs/contracts/model.md, "Attribute validation"):
 *
 * - a create or full update checks every attribute of the type and its supertypes
 *   (`validateValue`): mandatory ones (`isOptional: false`, and the child end of a COMPOSITION
 *   relationship) must have a value, in `attributes` or `relationshipAttributes`, unless the
 *   entity says `isIncomplete: true`; a partial update checks only the values it gives
 *   (`validateValueForUpdate`);
 * - values are checked and normalised by type (validate-values.ts for the built-ins; enums by
 *   value in any case, stored as defined; lists with their `valuesMinCount`/`valuesMaxCount`
 *   where the cardinality is LIST or SET; maps; structs, recursively);
 * - attribute names the type does not have are ignored — left out of what is stored — as
 *   Atlas's graph mapper does, on creates and partial updates alike;
 * - every problem of the entity is collected; any makes the whole request fail with Atlas's
 *   INSTANCE_CRUD_INVALID_PARAMS (404 ATLAS-404-00-007). A reference that is not an object id
 *   (ATLAS-400-00-021) or a struct value that is not an object (ATLAS-400-00-025) fails at once,
 *   as in Atlas, where the request's references are walked before anything is validated.
 *
 * Whether a relationship attribute's entity has a type its relationshipDef allows is checked
 * where the relationship is made (linker.ts), as in Atlas's graph mapper.
 *
 * The plan of each type (its attributes, their checkers) is built once per type registry.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { AtlasEntity, JsonValue } from "@atlas-ha/atlas-model";
import type { AtlasAttributeDef, AtlasEnumDef, AtlasStructDef } from "../models/typedefs.js";
import { forEachRef, isObject } from "./entities.js";
import { StoreInvalidAttributesError, StoreInvalidEntityError } from "./errors.js";
import type { TypeRegistry } from "./typesystem.js";
import { INVALID, javaString, PRIMITIVES, type Normalized } from "./validate-values.js";

interface Run {
  messages: string[];
  /** A partial update: nested structs are not checked for mandatory attributes either. */
  update: boolean;
}

type Checker = (value: JsonValue, path: string, run: Run) => Normalized;

interface AttributePlan {
  name: string;
  /** The type whose attributeDefs declare it (Atlas names it in the mandatory message). */
  declaredIn: string;
  optional: boolean;
  check: Checker;
}

interface EntityPlan {
  /** Its attributes that are not relationship ends: checked as values. */
  plain: AttributePlan[];
  /** Its attributes that are also relationship ends (Atlas's legacy ones): checked as references. */
  legacy: AttributePlan[];
  /** Names of the type's attributes (attributeDefs, its supertypes' and relationship ends). */
  names: Set<string>;
  /** Relationship attribute names → mandatory (declaring type) or undefined. */
  relationships: Map<string, string | undefined>;
}

const NOT_SET = -1;

/** Sets a key of the body (even "__proto__") as an own property, never the prototype. */
function put(out: Record<string, JsonValue>, key: string, value: JsonValue): void {
  // Only "__proto__" is an accessor of Object.prototype: every other key assigns as it defines
  // (and an assignment costs a fraction of a defineProperty, once per attribute per entity).
  if (key === "__proto__")
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[key] = value;
}

function invalidValue(path: string, value: JsonValue, typeName: string): string {
  return `${path}=${javaString(value)}: invalid value for type ${typeName}`;
}

function missing(path: string, typeName: string): string {
  return `${path}: mandatory attribute value missing in type ${typeName}`;
}

/** Atlas's AtlasObjectIdType: a guid, or a typeName with unique attributes. */
function checkObjectId(value: JsonValue): void {
  if (value === null) return;
  if (isObject(value)) {
    const { guid, typeName, uniqueAttributes } = value;
    if (typeof guid === "string" && guid !== "") return;
    if (
      typeof typeName === "string" &&
      typeName !== "" &&
      isObject(uniqueAttributes) &&
      Object.keys(uniqueAttributes).length > 0
    )
      return;
  }
  throw new StoreInvalidEntityError(
    `ObjectId is not valid ${javaString(value)}`,
    ATLAS_ERRORS.INVALID_OBJECT_ID.code,
  );
}

/** Splits `K,V` at its top-level comma. */
function mapParts(inner: string): [string, string] | undefined {
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === "," && depth === 0) return [inner.slice(0, i).trim(), inner.slice(i + 1).trim()];
  }
  return undefined;
}

class Plans {
  readonly #types: TypeRegistry;
  readonly #checkers = new Map<string, Checker>();
  readonly #entities = new Map<string, EntityPlan>();
  readonly #structs = new Map<string, AttributePlan[]>();

  constructor(types: TypeRegistry) {
    this.#types = types;
  }

  entity(typeName: string): EntityPlan {
    let plan = this.#entities.get(typeName);
    if (!plan) {
      plan = this.#entityPlan(typeName);
      this.#entities.set(typeName, plan);
    }
    return plan;
  }

  #entityPlan(typeName: string): EntityPlan {
    const info = this.#types.entityType(typeName);
    // Supertypes first, as Atlas validates them; a subtype's redefinition wins.
    const byName = new Map<string, AttributePlan>();
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const def = this.#types.entityType(name).def;
      for (const sup of def.superTypes ?? []) visit(sup);
      for (const a of def.attributeDefs ?? []) byName.set(a.name, this.#attribute(a, name));
    };
    visit(typeName);
    const relationships = new Map<string, string | undefined>();
    for (const [name, ends] of info.relationshipAttributes) {
      const end = ends[0]!;
      // Atlas makes the child end of a COMPOSITION a mandatory attribute (unless the entity
      // type defines the attribute itself: then its attributeDef decides).
      const mandatory = end.category === "COMPOSITION" && !end.isContainer && !end.legacy;
      const def = this.#types.relationshipDef(end.relationshipType);
      const endType = (end.end === 1 ? def?.endDef1.type : def?.endDef2.type) ?? typeName;
      relationships.set(name, mandatory ? endType : undefined);
    }
    const names = new Set([...byName.keys(), ...relationships.keys()]);
    const all = [...byName.values()];
    return {
      plain: all.filter((a) => !relationships.has(a.name)),
      legacy: all.filter((a) => relationships.has(a.name)),
      names,
      relationships,
    };
  }

  #attribute(def: AtlasAttributeDef, declaredIn: string): AttributePlan {
    const counted = def.cardinality === "LIST" || def.cardinality === "SET";
    const min = counted && typeof def.valuesMinCount === "number" ? def.valuesMinCount : NOT_SET;
    const max = counted && typeof def.valuesMaxCount === "number" ? def.valuesMaxCount : NOT_SET;
    return {
      name: def.name,
      declaredIn,
      optional: def.isOptional !== false,
      check: this.checker(def.typeName, min, max),
    };
  }

  checker(typeName: string, min = NOT_SET, max = NOT_SET): Checker {
    const key = `${typeName}\u0000${min}\u0000${max}`;
    let check = this.#checkers.get(key);
    if (!check) {
      check = this.#compile(typeName, min, max);
      this.#checkers.set(key, check);
    }
    return check;
  }

  #compile(typeName: string, min: number, max: number): Checker {
    const primitive = PRIMITIVES.get(typeName);
    if (primitive) {
      return (value, path, run) => {
        const out = primitive(value);
        if (out === INVALID) run.messages.push(invalidValue(path, value, typeName));
        return out;
      };
    }
    if (typeName === "objectid") return (value) => (checkObjectId(value), value);
    const array = /^array<(.+)>$/.exec(typeName);
    if (array) return this.#array(typeName, this.checker(array[1]!.trim()), min, max);
    const map = /^map<(.+)>$/.exec(typeName);
    const parts = map ? mapParts(map[1]!) : undefined;
    if (parts) return this.#map(typeName, this.checker(parts[0]), this.checker(parts[1]));
    const entry = this.#types.get(typeName);
    switch (entry?.category) {
      case "ENTITY":
        return (value) => (checkObjectId(value), value);
      case "ENUM":
        return this.#enum(entry.def as AtlasEnumDef);
      case "STRUCT":
        return this.#struct(typeName);
      default:
        // Not a type an attribute can have (the typedef store refuses those): left as given.
        return (value) => value;
    }
  }

  #array(typeName: string, element: Checker, min: number, max: number): Checker {
    return (value, path, run) => {
      if (!Array.isArray(value)) {
        run.messages.push(invalidValue(path, value, typeName));
        return INVALID;
      }
      let ok = true;
      if ((min !== NOT_SET && value.length < min) || (max !== NOT_SET && value.length > max)) {
        ok = false;
        run.messages.push(
          `${path}: incorrect number of values. found=${value.length}; expected: minCount=${min}, maxCount=${max}`,
        );
      }
      const out: JsonValue[] = [];
      for (const [i, item] of value.entries()) {
        const normalized = item === null ? null : element(item, `${path}[${i}]`, run);
        if (normalized === INVALID) ok = false;
        else out.push(normalized);
      }
      return ok ? out : INVALID;
    };
  }

  #map(typeName: string, key: Checker, valueType: Checker): Checker {
    return (value, path, run) => {
      if (!isObject(value)) {
        run.messages.push(invalidValue(path, value, typeName));
        return INVALID;
      }
      let ok = true;
      const out: Record<string, JsonValue> = {};
      for (const [k, v] of Object.entries(value)) {
        const keyRun: Run = { messages: [], update: run.update };
        const normalizedKey = key(k, path, keyRun);
        if (normalizedKey === INVALID || normalizedKey === null) {
          ok = false;
          run.messages.push(`${path}.${k}: invalid key for type ${typeName}`);
          continue;
        }
        const normalized = v === null ? null : valueType(v, `${path}.${k}`, run);
        if (normalized === INVALID) ok = false;
        else
          put(
            out,
            typeof normalizedKey === "string" ? normalizedKey : javaString(normalizedKey),
            normalized,
          );
      }
      return ok ? out : INVALID;
    };
  }

  #enum(def: AtlasEnumDef): Checker {
    const values = new Map((def.elementDefs ?? []).map((e) => [e.value.toLowerCase(), e.value]));
    return (value, path, run) => {
      const found = values.get(javaString(value).toLowerCase());
      if (found !== undefined) return found;
      run.messages.push(invalidValue(path, value, def.name));
      return INVALID;
    };
  }

  #struct(typeName: string): Checker {
    return (value, path, run) => {
      if (!isObject(value)) {
        // Atlas's discovery of the request's references refuses it before validation.
        throw new StoreInvalidEntityError(
          `not a valid struct value ${javaString(value)}`,
          ATLAS_ERRORS.INVALID_STRUCT_VALUE.code,
        );
      }
      let plan = this.#structs.get(typeName);
      if (!plan) {
        const def = this.#types.get(typeName)!.def as AtlasStructDef;
        plan = (def.attributeDefs ?? []).map((a) => this.#attribute(a, typeName));
        this.#structs.set(typeName, plan);
      }
      // Either the struct's attributes themselves, or {typeName, attributes} (AtlasStruct).
      const wrapped = typeof value.typeName === "string" && isObject(value.attributes);
      const given = wrapped ? (value.attributes as Record<string, JsonValue>) : value;
      const out = checkAttributes(plan, given, path, run, () => false);
      if (out === INVALID) return INVALID;
      return wrapped ? { ...value, attributes: out } : out;
    };
  }
}

/** The known attributes of `given`, normalised; INVALID when one is not (messages in `run`). */
function checkAttributes(
  plan: AttributePlan[],
  given: Record<string, JsonValue>,
  path: string,
  run: Run,
  presentElsewhere: (name: string) => boolean,
): Record<string, JsonValue> | typeof INVALID {
  let ok = true;
  const out: Record<string, JsonValue> = {};
  for (const attribute of plan) {
    const value = given[attribute.name];
    if (value === undefined || value === null) {
      if (!attribute.optional && !run.update && !presentElsewhere(attribute.name)) {
        ok = false;
        run.messages.push(missing(`${path}.${attribute.name}`, attribute.declaredIn));
      }
      if (value === null) put(out, attribute.name, null);
      continue;
    }
    const normalized = attribute.check(value, `${path}.${attribute.name}`, run);
    if (normalized === INVALID) ok = false;
    else put(out, attribute.name, normalized);
  }
  return ok ? out : INVALID;
}

const plansByRegistry = new WeakMap<TypeRegistry, Plans>();

function plansOf(types: TypeRegistry): Plans {
  let plans = plansByRegistry.get(types);
  if (!plans) {
    plans = new Plans(types);
    plansByRegistry.set(types, plans);
  }
  return plans;
}

export interface ValidatedAttributes {
  /** The type's attributes, normalised, plus relationship attributes as given. */
  attributes: Record<string, JsonValue>;
  /** The type's relationship attributes as given. */
  relationshipAttributes: Record<string, JsonValue>;
}

/** What validateEntity reads of an entity. */
export type ValidationInput = Pick<
  AtlasEntity,
  "attributes" | "relationshipAttributes" | "isIncomplete"
>;

/**
 * Checks `entity`'s attributes against the entity type `typeName` (create: a create or full
 * update; update: a partial update) and returns what is to be stored, or throws
 * StoreInvalidAttributesError with every problem found.
 */
export function validateEntity(
  types: TypeRegistry,
  typeName: string,
  entity: ValidationInput,
  mode: "create" | "update",
): ValidatedAttributes {
  const plan = plansOf(types).entity(typeName);
  const given: Record<string, JsonValue> = isObject(entity.attributes) ? entity.attributes : {};
  const related: Record<string, JsonValue> = isObject(entity.relationshipAttributes)
    ? entity.relationshipAttributes
    : {};
  const run: Run = { messages: [], update: mode === "update" };
  const incomplete = entity.isIncomplete === true;
  const relationshipAttributes: Record<string, JsonValue> = {};
  const references: Record<string, JsonValue> = {};
  const pickRelationships = (
    source: Record<string, JsonValue>,
    target: Record<string, JsonValue>,
  ): void => {
    for (const name in source) {
      const value = source[name]!;
      // Ignored, but a reference there to a type that does not exist still fails the request.
      if (!plan.names.has(name))
        forEachRef(value, (ref) => void types.entityType(ref.typeName, "in a reference"));
      if (!plan.relationships.has(name)) continue;
      for (const item of Array.isArray(value) ? value : [value]) checkObjectId(item);
      target[name] = value;
    }
  };
  pickRelationships(given, references);
  pickRelationships(related, relationshipAttributes);
  const has = (name: string): boolean =>
    incomplete ||
    (given[name] !== undefined && given[name] !== null) ||
    (related[name] !== undefined && related[name] !== null);
  // Relationship attributes (a legacy one may also be an attributeDef) are checked as references.
  const attributes = checkAttributes(plan.plain, given, typeName, run, has);
  if (!run.update) {
    for (const a of plan.legacy) {
      if (!a.optional && !has(a.name))
        run.messages.push(missing(`${typeName}.${a.name}`, a.declaredIn));
    }
    for (const [name, declaredIn] of plan.relationships) {
      if (declaredIn !== undefined && !has(name))
        run.messages.push(missing(`${typeName}.${name}`, declaredIn));
    }
  }
  if (run.messages.length > 0 || attributes === INVALID)
    throw new StoreInvalidAttributesError(run.messages);
  return { attributes: Object.assign({}, attributes, references), relationshipAttributes };
}
