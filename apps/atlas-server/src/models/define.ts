/**
 * Small builders so the model files read like Atlas's model JSON they mirror
 * (addons/models/ of apache/atlas). The defaults are what Atlas's JSON leaves out most:
 * an attribute is optional, single-valued, not unique and indexed only when unique; a type
 * is at typeVersion 1.0; a relationship propagates no classifications.
 */
import type {
  AtlasAttributeDef,
  AtlasBaseTypeDef,
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
  /** Atlas's free-text search ranks matches in attributes of a higher weight (1–10) first. */
  searchWeight?: number;
  indexType?: string;
  /** The attribute is sent in entity notifications even when it did not change. */
  includeInNotification?: boolean;
  options?: Record<string, string>;
}

export function attr(name: string, typeName: string, options: AttrOptions = {}): AtlasAttributeDef {
  const def: AtlasAttributeDef = {
    name,
    typeName,
    isOptional: !options.required,
    cardinality: options.cardinality ?? "SINGLE",
    isUnique: options.unique ?? false,
    isIndexable: options.indexed ?? options.unique ?? false,
  };
  if (options.searchWeight !== undefined) def.searchWeight = options.searchWeight;
  if (options.indexType !== undefined) def.indexType = options.indexType;
  if (options.includeInNotification) def.includeInNotification = true;
  if (options.options) def.options = { ...options.options };
  return def;
}

/** What every kind of typedef may carry besides its name and body. */
type TypeExtra = Pick<AtlasBaseTypeDef, "serviceType" | "typeVersion" | "options" | "description">;

function base(name: string, extra: TypeExtra): AtlasBaseTypeDef {
  return { name, typeVersion: "1.0", ...extra };
}

export function entityDef(
  name: string,
  superTypes: string[],
  attributeDefs: AtlasAttributeDef[],
  extra: TypeExtra = {},
): AtlasEntityDef {
  return { ...base(name, extra), superTypes, attributeDefs };
}

export function structDef(
  name: string,
  attributeDefs: AtlasAttributeDef[],
  extra: TypeExtra = {},
): AtlasStructDef {
  return { ...base(name, extra), attributeDefs };
}

/** An enum whose values have consecutive ordinals from `firstOrdinal`. */
export function enumDef(
  name: string,
  values: string[],
  extra: TypeExtra = {},
  firstOrdinal = 0,
): AtlasEnumDef {
  return {
    ...base(name, extra),
    elementDefs: values.map((value, i) => ({ value, ordinal: firstOrdinal + i })),
  };
}

interface EndFlags {
  /** The end that holds the other: in a COMPOSITION its entity owns (and deletes) the others. */
  container?: boolean;
  /** The end's attribute is also an attribute of the entity type (Atlas's pre-relationship models). */
  legacy?: boolean;
}

/** An end: the entity type, the relationship attribute it gets, its cardinality. */
type End = [type: string, name: string, cardinality: Cardinality, flags?: EndFlags];

function end([type, name, cardinality, flags = {}]: End): AtlasRelationshipEndDef {
  const def: AtlasRelationshipEndDef = {
    type,
    name,
    isContainer: flags.container ?? false,
    cardinality,
  };
  if (flags.legacy) def.isLegacyAttribute = true;
  return def;
}

interface RelationshipExtra extends TypeExtra {
  /** Which way classifications flow: NONE, ONE_TO_TWO (end1 → end2), TWO_TO_ONE or BOTH. */
  propagateTags?: string;
  relationshipLabel?: string;
  attributeDefs?: AtlasAttributeDef[];
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
  extra: RelationshipExtra = {},
): AtlasRelationshipDef {
  const { propagateTags, relationshipLabel, attributeDefs, ...rest } = extra;
  return {
    ...base(name, rest),
    relationshipCategory: category,
    ...(relationshipLabel ? { relationshipLabel } : {}),
    propagateTags: propagateTags ?? "NONE",
    endDef1: end(end1),
    endDef2: end(end2),
    attributeDefs: attributeDefs ?? [],
  };
}
