/**
 * Creating typedefs (POST /api/atlas/v2/types/typedefs): validation against the types that
 * exist, and the fields the store fills in. Backend-independent; used by createTypedefs and
 * by migrate() to seed the built-in models.
 */
import {
  CATEGORY_LISTS,
  emptyTypesDef,
  flattenTypesDef,
  type AtlasEntityDef,
  type AtlasRelationshipDef,
  type AtlasTypesDef,
} from "../models/typedefs.js";
import { StoreInvalidTypedefError, StoreTypeExistsError } from "./errors.js";
import type { StoredTypedef } from "./sql.js";
import { TypeRegistry } from "./typesystem.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks `defs` against `existing` and returns them ready to store (guid, times, users,
 * version filled), or throws: StoreTypeExistsError when a name is taken (nothing is created,
 * as in Atlas), StoreInvalidTypedefError when a def is malformed or refers to unknown types.
 */
export function prepareTypedefs(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
  stamp: { user: string; now: number; newGuid: () => string },
): StoredTypedef[] {
  if (typeof defs !== "object" || defs === null)
    throw new StoreInvalidTypedefError("typedefs must be a JSON object");
  for (const list of Object.values(CATEGORY_LISTS)) {
    const value = (defs as Record<string, unknown>)[list];
    if (value !== undefined && value !== null && !Array.isArray(value)) {
      throw new StoreInvalidTypedefError(`${list} must be a list`);
    }
  }
  const prepared: StoredTypedef[] = [];
  const names = new Set<string>();
  for (const { category, def } of flattenTypesDef(defs)) {
    if (
      typeof def !== "object" ||
      def === null ||
      typeof def.name !== "string" ||
      !NAME.test(def.name)
    ) {
      throw new StoreInvalidTypedefError(
        `every ${CATEGORY_LISTS[category]} item needs a name: a letter or _ followed by letters, digits or _`,
      );
    }
    if (existing.has(def.name) || names.has(def.name)) throw new StoreTypeExistsError(def.name);
    names.add(def.name);
    prepared.push({
      category,
      def: {
        ...structuredClone(def),
        category,
        guid: stamp.newGuid(),
        createdBy: stamp.user,
        updatedBy: stamp.user,
        createTime: stamp.now,
        updateTime: stamp.now,
        version: 1,
        typeVersion: def.typeVersion ?? "1.0",
        ...(category === "ENUM"
          ? {}
          : { attributeDefs: (def as AtlasEntityDef).attributeDefs ?? [] }),
        ...(category === "ENTITY" ? { superTypes: (def as AtlasEntityDef).superTypes ?? [] } : {}),
      },
    });
  }
  // Supertypes, relationship ends and cycles are checked against old and new types together.
  const combined = new TypeRegistry([...existing.all(), ...prepared]);
  for (const { category, def } of prepared) {
    if (category !== "RELATIONSHIP") continue;
    const rel = def as AtlasRelationshipDef;
    for (const end of [rel.endDef1, rel.endDef2]) {
      if (!end || typeof end.type !== "string" || typeof end.name !== "string") {
        throw new StoreInvalidTypedefError(
          `${rel.name}: endDef1 and endDef2 need a type and a name`,
        );
      }
      if (!combined.isEntityType(end.type)) {
        throw new StoreInvalidTypedefError(
          `${rel.name}: end type ${JSON.stringify(end.type)} is not an entity type`,
        );
      }
    }
  }
  return prepared;
}

/** Stored typedefs grouped the way GET /types/typedefs answers. */
export function groupTypedefs(defs: StoredTypedef[]): AtlasTypesDef {
  const out = emptyTypesDef();
  for (const { category, def } of defs)
    (out[CATEGORY_LISTS[category]] as unknown[]).push(structuredClone(def));
  return out;
}
