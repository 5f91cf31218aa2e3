/**
 * Which entities a batch of store changes will look up by unique attribute, so that one query
 * answers them all (SqlTx.prefetchUnique) instead of a round trip each on PostgreSQL. A guess:
 * a lookup it misses goes to the database as before, one it adds costs a row in that query.
 */
import type { AtlasEntity } from "@atlas-ha/atlas-model";
import { isObject, isObjectRef } from "./entities.js";
import { qualifiedNameOf } from "./references.js";
import type { UniqueLookup } from "./sql.js";
import type { StoreChange } from "./types.js";
import type { TypeRegistry } from "./typesystem.js";

export function uniqueLookups(changes: Iterable<StoreChange>, types: TypeRegistry): UniqueLookup[] {
  const lookups: UniqueLookup[] = [];
  const byType = (typeName: unknown, qualifiedName: string | undefined, subtypes: boolean) => {
    if (typeof typeName !== "string" || qualifiedName === undefined) return;
    try {
      lookups.push({
        typeNames: subtypes ? types.withSubtypes(typeName) : [typeName],
        qualifiedName,
      });
    } catch {
      // An unknown type: the change itself reports it.
    }
  };
  const ref = (value: unknown) => {
    if (isObjectRef(value)) byType(value.typeName, qualifiedNameOf(value.uniqueAttributes), true);
  };
  const entity = (value: unknown) => {
    if (!isObject(value)) return;
    const e = value as unknown as AtlasEntity;
    byType(e.typeName, qualifiedNameOf(e.attributes), false);
    // References as attribute values or in a list of them, not deeper: this runs before the
    // change's depth check (checkDepth), on whatever a message holds.
    for (const attributes of [e.attributes, e.relationshipAttributes]) {
      if (!isObject(attributes)) continue;
      for (const v of Object.values(attributes)) {
        if (Array.isArray(v)) v.forEach(ref);
        else ref(v);
      }
    }
  };
  for (const change of changes) {
    if (change.kind === "createOrUpdate") {
      const input = change.entities;
      if (!isObject(input)) continue;
      if (Array.isArray(input.entities)) input.entities.forEach(entity);
      if (isObject(input.referredEntities)) Object.values(input.referredEntities).forEach(entity);
    } else if (change.kind === "partialUpdate") {
      byType(change.objectId?.typeName, qualifiedNameOf(change.objectId?.uniqueAttributes), true);
    } else if (Array.isArray(change.objectIds)) {
      for (const id of change.objectIds)
        byType(id?.typeName, qualifiedNameOf(id?.uniqueAttributes), true);
    }
  }
  return lookups;
}
