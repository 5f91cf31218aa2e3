/**
 * Small builders so the model files read like the type lists they are. Attribute defaults
 * follow the common case of Atlas's published models: single-valued, optional, not unique.
 */
import type {
  AtlasAttributeDef,
  AtlasEntityDef,
  AtlasEnumDef,
  AtlasRelationshipDef,
  AtlasRelationshipEndDef,
  AtlasStructDef,
  Cardinality,
  RelationshipCategory,
} from "./typedefs.js";

interface AttrOptions {
  required?: boolean;
  unique?: boolean;
  cardinality?: Cardinality;
  indexed?: boolean;
  /** The referenced entities belong to this one and are deleted with it (legacy `ownedRef`). */
  owned?: boolean;
}

export function attr(name: string, typeName: string, options: AttrOptions = {}): AtlasAttributeDef {
  const def: AtlasAttributeDef = {
    name,
    typeName,
    isOptional: !options.required,
    cardinality: options.cardinality ?? (typeName.startsWith("array<") ? "SET" : "SINGLE"),
    isUnique: options.unique ?? false,
    isIndexable: options.indexed ?? options.unique ?? false,
  };
  if (options.owned) def.constraints = [{ type: "ownedRef" }];
  return def;
}

export function entityDef(
  name: string,
  superTypes: string[],
  attributeDefs: AtlasAttributeDef[],
  extra: Partial<AtlasEntityDef> = {},
): AtlasEntityDef {
  return { name, superTypes, typeVersion: "1.0", attributeDefs, ...extra };
}

export function structDef(
  name: string,
  attributeDefs: AtlasAttributeDef[],
  serviceType?: string,
): AtlasStructDef {
  return { name, typeVersion: "1.0", attributeDefs, ...(serviceType ? { serviceType } : {}) };
}

export function enumDef(
  name: string,
  values: string[],
  serviceType?: string,
  firstOrdinal = 0,
): AtlasEnumDef {
  return {
    name,
    typeVersion: "1.0",
    elementDefs: values.map((value, i) => ({ value, ordinal: firstOrdinal + i })),
    ...(serviceType ? { serviceType } : {}),
  };
}

type End = [type: string, name: string, cardinality: Cardinality, isContainer?: boolean];

function end([type, name, cardinality, isContainer]: End): AtlasRelationshipEndDef {
  return { type, name, cardinality, isContainer: isContainer ?? false };
}

/**
 * A relationshipDef: each end adds a relationship attribute `name` to entities of `type`.
 * In a COMPOSITION the container end owns the other: deleting it deletes them.
 */
export function relationshipDef(
  name: string,
  category: RelationshipCategory,
  end1: End,
  end2: End,
  serviceType?: string,
): AtlasRelationshipDef {
  return {
    name,
    typeVersion: "1.0",
    relationshipCategory: category,
    propagateTags: "NONE",
    endDef1: end(end1),
    endDef2: end(end2),
    attributeDefs: [],
    ...(serviceType ? { serviceType } : {}),
  };
}
