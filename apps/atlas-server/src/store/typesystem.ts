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
}

export class TypeRegistry {
  readonly #defs = new Map<string, { category: TypeCategory; def: AnyTypeDef }>();
  readonly #entities = new Map<string, EntityTypeInfo>();
  readonly #subtypes = new Map<string, string[]>();

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
    return { name: def.name, def, superTypes, attributes, uniqueAttributes, ownedAttributes };
  }

  #addRelationship(def: AtlasRelationshipDef): void {
    if (def.relationshipCategory !== "COMPOSITION") return;
    // The container end's attribute holds the children; every type at or below that end owns them.
    for (const end of [def.endDef1, def.endDef2]) {
      if (!end?.isContainer) continue;
      for (const info of this.#entities.values()) {
        if (info.name === end.type || info.superTypes.has(end.type))
          info.ownedAttributes.add(end.name);
      }
    }
  }
}
