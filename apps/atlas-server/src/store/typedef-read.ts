/**
 * Typedefs as GET /types/… answers them: Atlas's SearchFilter (FilterUtil), the computed
 * `subTypes` and `relationshipAttributeDefs` of entity defs, grouping and headers.
 */
import {
  CATEGORY_LISTS,
  emptyTypesDef,
  type AnyTypeDef,
  type AtlasAttributeDef,
  type AtlasClassificationDef,
  type AtlasEntityDef,
  type AtlasRelationshipDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import type { StoredTypedef } from "./sql.js";
import { TypeRegistry } from "./typesystem.js";
import { PRIMITIVES, type Json, type TypedefFilter, type TypedefHeader } from "./typedef-input.js";

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
