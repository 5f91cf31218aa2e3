/**
 * The type system as the store uses it: which entity types exist, their supertypes and
 * subtypes, their unique attributes, and which attributes own the entities they refer to
 * (deleted with them). Built from the typedefs; backend-independent.
 */
import {
  flattenTypesDef,
  type AnyTypeDef,
  type AtlasAttributeDef,
  type AtlasEntityDef,
  type AtlasRelationshipDef,
  type AtlasTypesDef,
  type Cardinality,
  type RelationshipCategory,
  type TypeCategory,
} from "../models/typedefs.js";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { StoreInvalidTypedefError, StoreUnknownTypeError } from "./errors.js";

/** Searches and unique lookups over every entity type use this instead of a type name. */
export const ALL_ENTITY_TYPES = "_ALL_ENTITY_TYPES";

export interface EntityTypeInfo {
  name: string;
  def: AtlasEntityDef;
  /** Every supertype, transitively (not the type itself). */
  superTypes: Set<string>;
  /** Attributes of the type and its supertypes, by name. */
  attributes: Map<string, AtlasAttributeDef>;
  /** Names of unique attributes (normally just `qualifiedName`, from Referenceable). */
  uniqueAttributes: string[];
  /** Attributes whose referenced entities this entity owns (COMPOSITION container ends, `ownedRef`). */
  ownedAttributes: Set<string>;
  /**
   * Relationship attributes by name: the relationshipDef ends at this type or a supertype.
   * One name can belong to several relationship types (a Hive column's `table` is the far end
   * of both `hive_table_columns` and `hive_table_partitionkeys`).
   */
  relationshipAttributes: Map<string, RelationshipEnd[]>;
}

/** One end of a relationshipDef, seen from an entity type at that end. */
export interface RelationshipEnd {
  /** The relationship type. */
  relationshipType: string;
  category: RelationshipCategory;
  /** Which end this type is on: the relationship's `end1` or `end2`. */
  end: 1 | 2;
  /** This end's relationship attribute name and cardinality. */
  attribute: string;
  cardinality: Cardinality;
  /** This end contains the other (COMPOSITION: the other end is deleted with it). */
  isContainer: boolean;
  /** The entity type at the other end, its attribute and cardinality. */
  otherType: string;
  otherAttribute: string;
  otherCardinality: Cardinality;
  /** The attribute is also in the entity's attributeDefs (Atlas's legacy attributes, e.g. Process.inputs). */
  legacy: boolean;
}

/** Lineage is the graph of Process.inputs and Process.outputs (Atlas's `__Process.inputs/outputs` edges). */
export interface LineageEdgeType {
  relationshipType: string;
  /** Which end of the relationship the process is on. */
  processEnd: 1 | 2;
  /** `inputs`: the dataset feeds the process; `outputs`: the process writes the dataset. */
  kind: "inputs" | "outputs";
}

export class TypeRegistry {
  readonly #defs = new Map<string, { category: TypeCategory; def: AnyTypeDef }>();
  readonly #entities = new Map<string, EntityTypeInfo>();
  readonly #subtypes = new Map<string, string[]>();
  readonly #relationships = new Map<string, AtlasRelationshipDef>();
  readonly #lineage: LineageEdgeType[] = [];

  constructor(defs: { category: TypeCategory; def: AnyTypeDef }[]) {
    for (const entry of defs) this.#defs.set(entry.def.name, entry);
    for (const { category, def } of defs) {
      if (category === "ENTITY")
        this.#entities.set(def.name, this.#entityInfo(def as AtlasEntityDef));
    }
    for (const { category, def } of defs) {
      if (category === "RELATIONSHIP") this.#addRelationship(def as AtlasRelationshipDef);
    }
    for (const info of this.#entities.values()) {
      for (const sup of [info.name, ...info.superTypes]) {
        const list = this.#subtypes.get(sup) ?? [];
        list.push(info.name);
        this.#subtypes.set(sup, list);
      }
    }
  }

  static fromTypesDef(defs: Partial<AtlasTypesDef>): TypeRegistry {
    return new TypeRegistry(flattenTypesDef(defs));
  }

  has(name: string): boolean {
    return this.#defs.has(name);
  }

  get(name: string): { category: TypeCategory; def: AnyTypeDef } | undefined {
    return this.#defs.get(name);
  }

  all(): { category: TypeCategory; def: AnyTypeDef }[] {
    return [...this.#defs.values()];
  }

  isEntityType(name: string): boolean {
    return this.#entities.has(name);
  }

  isStructType(name: string): boolean {
    return this.#defs.get(name)?.category === "STRUCT";
  }

  /** The entity type, or StoreUnknownTypeError. */
  entityType(name: string, where?: string): EntityTypeInfo {
    const info = this.#entities.get(name);
    if (!info) throw new StoreUnknownTypeError(name, where);
    return info;
  }

  /** The relationshipDef of that name, if there is one. */
  relationshipDef(name: string): AtlasRelationshipDef | undefined {
    return this.#relationships.get(name);
  }

  /** The relationship types lineage follows, and which end the process is on. */
  lineageEdgeTypes(): readonly LineageEdgeType[] {
    return this.#lineage;
  }

  /** True when `typeName` is `superType` or one of its subtypes. */
  isA(typeName: string, superType: string): boolean {
    if (typeName === superType) return true;
    return this.#entities.get(typeName)?.superTypes.has(superType) ?? false;
  }

  /** The type and all its subtypes (e.g. DataSet → hive_table, hdfs_path, …). */
  withSubtypes(name: string, where?: string): string[] {
    this.entityType(name, where);
    return this.#subtypes.get(name) ?? [name];
  }

  #entityInfo(def: AtlasEntityDef): EntityTypeInfo {
    const superTypes = new Set<string>();
    const attributes = new Map<string, AtlasAttributeDef>();
    const visiting = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (visiting.has(name)) {
        throw new StoreInvalidTypedefError(`supertype cycle: ${[...path, name].join(" → ")}`);
      }
      const entry = this.#defs.get(name);
      if (!entry) {
        // Atlas's registry: TYPE_NAME_NOT_FOUND, answered as BAD_REQUEST by the typedef store.
        throw new StoreInvalidTypedefError(
          `Given typename ${name} was invalid (supertype of ${path.at(-1) ?? name})`,
          ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code,
        );
      }
      if (entry.category !== "ENTITY") {
        throw new StoreInvalidTypedefError(
          `${path.at(-1) ?? name}: incompatible supertype ${name} (a ${entry.category} type)`,
        );
      }
      visiting.add(name);
      const current = entry.def as AtlasEntityDef;
      for (const sup of current.superTypes ?? []) {
        superTypes.add(sup);
        visit(sup, [...path, name]);
      }
      visiting.delete(name);
      // Subtypes come later and win, as in Atlas where a subtype may refine an attribute.
      for (const a of current.attributeDefs ?? []) attributes.set(a.name, a);
    };
    visit(def.name, []);
    const ownedAttributes = new Set<string>();
    for (const a of attributes.values()) {
      if (a.constraints?.some((c) => c.type === "ownedRef")) ownedAttributes.add(a.name);
    }
    const uniqueAttributes = [...attributes.values()].filter((a) => a.isUnique).map((a) => a.name);
    return {
      name: def.name,
      def,
      superTypes,
      attributes,
      uniqueAttributes,
      ownedAttributes,
      relationshipAttributes: new Map(),
    };
  }

  #addRelationship(def: AtlasRelationshipDef): void {
    const ends = [def.endDef1, def.endDef2];
    if (!ends.every((e) => typeof e?.type === "string" && typeof e.name === "string")) return;
    this.#relationships.set(def.name, def);
    const composition = def.relationshipCategory === "COMPOSITION";
    for (const [index, end] of ends.entries()) {
      const other = ends[1 - index]!;
      const side: 1 | 2 = index === 0 ? 1 : 2;
      if (end.name === "inputs" || end.name === "outputs") {
        if (this.#entities.get(end.type) && this.isA(end.type, "Process"))
          this.#lineage.push({ relationshipType: def.name, processEnd: side, kind: end.name });
      }
      // Every type at or below this end gets the attribute; a container end owns the other.
      for (const info of this.#entities.values()) {
        if (info.name !== end.type && !info.superTypes.has(end.type)) continue;
        const list = info.relationshipAttributes.get(end.name) ?? [];
        list.push({
          relationshipType: def.name,
          category: def.relationshipCategory,
          end: side,
          attribute: end.name,
          cardinality: end.cardinality ?? "SINGLE",
          isContainer: end.isContainer === true && composition,
          otherType: other.type,
          otherAttribute: other.name,
          otherCardinality: other.cardinality ?? "SINGLE",
          legacy: info.attributes.has(end.name),
        });
        info.relationshipAttributes.set(end.name, list);
        if (composition && end.isContainer) info.ownedAttributes.add(end.name);
      }
    }
  }
}
