/**
 * What a search's tests are about, resolved to SQL: the attributes of entity types (with
 * `name`/`qualifiedName` as their indexed columns), Atlas's system attributes the store keeps,
 * and the attributes of classifications (tagFilters); the classification type hierarchy.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type {
  AtlasAttributeDef,
  AtlasClassificationDef,
  AtlasEnumDef,
} from "../models/typedefs.js";
import { invalidSearch, valueTypeOf, type Resolved, type Target } from "./search-filter.js";
import { columnScalar, type Aliases, type Params, type SearchFlavor } from "./search-sql.js";
import { ALL_ENTITY_TYPES, type TypeRegistry } from "./typesystem.js";

function enumValues(types: TypeRegistry) {
  return (name: string): string[] | undefined => {
    const entry = types.get(name);
    return entry?.category === "ENUM"
      ? ((entry.def as AtlasEnumDef).elementDefs ?? []).map((e) => e.value)
      : undefined;
  };
}

/** A JSON path key of an attribute name; names with a quote or backslash cannot be addressed. */
function attributeKey(flavor: SearchFlavor, params: Params, name: string): string {
  if (/["\\]/.test(name)) invalidSearch(`attribute ${JSON.stringify(name)} cannot be searched`);
  return flavor.param(params.add(flavor.keyValue(name)), "text");
}

/** Resolves one attribute def over a JSON object of attribute values. */
function resolveDef(
  flavor: SearchFlavor,
  types: TypeRegistry,
  obj: string,
  def: AtlasAttributeDef,
  aliases: Aliases,
  params: Params,
  owner: string,
): Resolved {
  const typed = valueTypeOf(def, enumValues(types));
  if (!typed)
    invalidSearch(
      `attribute ${def.name} of ${owner} is a ${def.typeName}: only primitive, enum and array-of-primitive attributes can be filtered or sorted on`,
    );
  const key = attributeKey(flavor, params, def.name);
  if (typed.shape === "list")
    return { shape: "list", list: flavor.list(obj, key, aliases.next("l")), type: typed.type };
  return { shape: "scalar", value: flavor.member(obj, key), type: typed.type };
}

/** Atlas's system attributes of every entity (AtlasEntityType's root type) that the store keeps. */
function systemAttribute(flavor: SearchFlavor, name: string, aliases: Aliases): Resolved | null {
  const string = { kind: "string" } as const;
  const date = { kind: "date" } as const;
  switch (name) {
    case "__guid":
      return { shape: "scalar", value: columnScalar("e.guid"), type: string };
    case "__typeName":
      return { shape: "scalar", value: columnScalar("e.type_name"), type: string };
    case "__state":
      return {
        shape: "scalar",
        value: columnScalar("e.status"),
        type: { kind: "enum", values: ["ACTIVE", "DELETED"] },
      };
    case "__createdBy":
      return { shape: "scalar", value: columnScalar("e.created_by"), type: string };
    case "__modifiedBy":
      return { shape: "scalar", value: columnScalar("e.updated_by"), type: string };
    case "__timestamp":
      return { shape: "scalar", value: columnScalar("e.create_time"), type: date };
    case "__modificationTimestamp":
      return { shape: "scalar", value: columnScalar("e.update_time"), type: date };
    case "__isIncomplete":
      return {
        shape: "scalar",
        value: columnScalar("e.is_incomplete"),
        type: { kind: "number", integer: true },
      };
    case "__labels":
      return {
        shape: "list",
        list: flavor.list("e.labels", undefined, aliases.next("l")),
        type: string,
      };
    case "__classificationNames": {
      const alias = aliases.next("l");
      const rows = flavor.list("e.classifications", undefined, alias);
      const typeName = flavor.constText(`${alias}.value`, "typeName");
      return {
        shape: "list",
        list: { from: rows.from, element: columnScalar(typeName, { nullable: true }) },
        type: string,
      };
    }
    case "__customAttributes":
      return {
        shape: "entries",
        from: flavor.objectEntries("e.custom_attributes", "ca"),
        empty: "(CAST(e.custom_attributes AS TEXT) = '{}')",
      };
  }
  if (name.startsWith("__"))
    invalidSearch(
      `system attribute ${name} is not searchable here; these are: __guid, __typeName, __state, __createdBy, __modifiedBy, __timestamp, __modificationTimestamp, __isIncomplete, __labels, __classificationNames, __customAttributes`,
      ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
    );
  return null;
}

/** Entities of `typeNames` (null: any type): their attributes, the system attributes, name and qualifiedName as columns. */
export function entityTarget(
  flavor: SearchFlavor,
  types: TypeRegistry,
  typeNames: string[] | null,
  options: { anyTypeNames?: boolean } = {},
): Target {
  return {
    resolve(attribute, aliases, params) {
      const system = systemAttribute(flavor, attribute, aliases);
      if (system) return system;
      const defs = (typeNames ?? []).map((t) => types.entityType(t).attributes.get(attribute));
      const missing = (typeNames ?? []).find((_t, i) => defs[i] === undefined);
      const anyName =
        options.anyTypeNames && (attribute === "name" || attribute === "qualifiedName");
      if ((typeNames === null || missing !== undefined) && !anyName)
        invalidSearch(
          `Attribute ${attribute} not found for type ${missing ?? ALL_ENTITY_TYPES}`,
          ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
        );
      // name and qualifiedName have their own indexed columns.
      const def = defs[0];
      if (
        (attribute === "name" || attribute === "qualifiedName") &&
        (!def || def.typeName === "string")
      )
        return {
          shape: "scalar",
          value: columnScalar(attribute === "name" ? "e.name" : "e.qualified_name", {
            nullable: true,
            lowerIndexed: true,
          }),
          type: { kind: "string" },
        };
      return resolveDef(flavor, types, "e.attributes", def!, aliases, params, typeNames![0]!);
    },
  };
}

/** Attributes of a classification type and its supertypes. */
function classificationAttributes(
  types: TypeRegistry,
  name: string,
): Map<string, AtlasAttributeDef> {
  const out = new Map<string, AtlasAttributeDef>();
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    const def = types.get(n)?.def as AtlasClassificationDef | undefined;
    for (const sup of def?.superTypes ?? []) visit(sup);
    for (const a of def?.attributeDefs ?? []) out.set(a.name, a);
  };
  visit(name);
  return out;
}

/** A classification of one of `names`: its attributes (tagFilters) inside the row `alias`. */
export function classificationTarget(
  flavor: SearchFlavor,
  types: TypeRegistry,
  names: string[],
  alias: string,
): Target {
  return {
    resolve(attribute, aliases, params) {
      const defs = names.map((n) => classificationAttributes(types, n).get(attribute));
      const missing = names.find((_n, i) => defs[i] === undefined);
      if (missing !== undefined)
        invalidSearch(
          `Attribute ${attribute} not found for type ${missing}`,
          ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
        );
      const obj = flavor.constObject(`${alias}.value`, "attributes");
      return resolveDef(flavor, types, obj, defs[0]!, aliases, params, missing ?? names[0]!);
    },
  };
}

export function classificationTypes(types: TypeRegistry): string[] {
  return types
    .all()
    .filter((e) => e.category === "CLASSIFICATION")
    .map((e) => e.def.name);
}

/** The classification and its subtypes, transitively. */
export function withSubClassifications(types: TypeRegistry, name: string): string[] {
  const all = classificationTypes(types);
  const out = new Set([name]);
  for (let grew = true; grew;) {
    grew = false;
    for (const n of all) {
      if (out.has(n)) continue;
      const sups = (types.get(n)?.def as AtlasClassificationDef).superTypes ?? [];
      if (sups.some((s) => out.has(s))) {
        out.add(n);
        grew = true;
      }
    }
  }
  return [...out];
}
