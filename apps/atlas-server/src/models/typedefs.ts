/**
 * The Atlas type system's JSON model (`/api/atlas/v2/types/typedefs`), as far as this server
 * reads it. Fields it does not interpret are kept as they came (`[extra: string]: unknown`).
 */
import type { JsonValue } from "@atlas-ha/atlas-model";

export type TypeCategory =
  "ENUM" | "STRUCT" | "CLASSIFICATION" | "ENTITY" | "RELATIONSHIP" | "BUSINESS_METADATA";
export type Cardinality = "SINGLE" | "LIST" | "SET";

export interface AtlasConstraintDef {
  /** `ownedRef` (the referenced entities are deleted with the owner) or `inverseRef`. */
  type: string;
  params?: Record<string, JsonValue>;
}

export interface AtlasAttributeDef {
  name: string;
  typeName: string;
  isOptional: boolean;
  cardinality: Cardinality;
  isUnique: boolean;
  isIndexable?: boolean;
  includeInNotification?: boolean;
  constraints?: AtlasConstraintDef[];
  description?: string;
  [extra: string]: unknown;
}

/** Fields every kind of typedef has. The store fills guid, times, users and version on create. */
export interface AtlasBaseTypeDef {
  name: string;
  category?: TypeCategory;
  guid?: string;
  createdBy?: string;
  updatedBy?: string;
  createTime?: number;
  updateTime?: number;
  version?: number;
  description?: string;
  typeVersion?: string;
  serviceType?: string;
  options?: Record<string, string>;
  [extra: string]: unknown;
}

export interface AtlasEnumElementDef {
  value: string;
  ordinal: number;
  description?: string;
}

export interface AtlasEnumDef extends AtlasBaseTypeDef {
  elementDefs: AtlasEnumElementDef[];
  defaultValue?: string;
}

export interface AtlasStructDef extends AtlasBaseTypeDef {
  attributeDefs: AtlasAttributeDef[];
}

export interface AtlasClassificationDef extends AtlasStructDef {
  superTypes?: string[];
  entityTypes?: string[];
}

export interface AtlasEntityDef extends AtlasStructDef {
  superTypes: string[];
}

export interface AtlasRelationshipEndDef {
  /** The entity type at this end. */
  type: string;
  /** The relationship attribute this end adds to that type. */
  name: string;
  isContainer?: boolean;
  cardinality?: Cardinality;
  isLegacyAttribute?: boolean;
  [extra: string]: unknown;
}

export type RelationshipCategory = "ASSOCIATION" | "AGGREGATION" | "COMPOSITION";

export interface AtlasRelationshipDef extends AtlasStructDef {
  relationshipCategory: RelationshipCategory;
  propagateTags?: string;
  relationshipLabel?: string;
  endDef1: AtlasRelationshipEndDef;
  endDef2: AtlasRelationshipEndDef;
}

export type AtlasBusinessMetadataDef = AtlasStructDef;

/** The body of GET / POST `/api/atlas/v2/types/typedefs`. */
export interface AtlasTypesDef {
  enumDefs: AtlasEnumDef[];
  structDefs: AtlasStructDef[];
  classificationDefs: AtlasClassificationDef[];
  entityDefs: AtlasEntityDef[];
  relationshipDefs: AtlasRelationshipDef[];
  businessMetadataDefs: AtlasBusinessMetadataDef[];
}

export type AnyTypeDef =
  AtlasEnumDef | AtlasStructDef | AtlasClassificationDef | AtlasEntityDef | AtlasRelationshipDef;

/** Which list of AtlasTypesDef holds each category. */
export const CATEGORY_LISTS = {
  ENUM: "enumDefs",
  STRUCT: "structDefs",
  CLASSIFICATION: "classificationDefs",
  ENTITY: "entityDefs",
  RELATIONSHIP: "relationshipDefs",
  BUSINESS_METADATA: "businessMetadataDefs",
} as const satisfies Record<TypeCategory, keyof AtlasTypesDef>;

export function emptyTypesDef(): AtlasTypesDef {
  return {
    enumDefs: [],
    structDefs: [],
    classificationDefs: [],
    entityDefs: [],
    relationshipDefs: [],
    businessMetadataDefs: [],
  };
}

/** Every def of a (possibly partial) AtlasTypesDef with its category, in list order. */
export function flattenTypesDef(
  defs: Partial<AtlasTypesDef>,
): { category: TypeCategory; def: AnyTypeDef }[] {
  const out: { category: TypeCategory; def: AnyTypeDef }[] = [];
  for (const [category, list] of Object.entries(CATEGORY_LISTS) as [
    TypeCategory,
    keyof AtlasTypesDef,
  ][]) {
    for (const def of (defs[list] as AnyTypeDef[] | null | undefined) ?? [])
      out.push({ category, def });
  }
  return out;
}
