/**
 * What an entity write request refers to, read from its shape: unique keys, assigned guids,
 * qualifiedNames, object ids without a type, relationship-attribute values, nesting depth.
 */
import type { AtlasEntity, AtlasObjectId, JsonValue } from "@atlas-ha/atlas-model";
import { hasKey, isObject, isPlaceholder, tooDeep, MAX_ENTITY_DEPTH } from "./entities.js";
import { StoreInvalidEntityError, StoreNotFoundError } from "./errors.js";
import type { LinkTarget } from "./linker.js";
import type { EntityTypeInfo, TypeRegistry } from "./typesystem.js";

export function uniqueKey(typeName: string, qualifiedName: string): string {
  return `${typeName}\u0000${qualifiedName}`;
}

/** The real (not placeholder) guid an entity id names, if any. */
export function assignedGuid(objectId: AtlasObjectId): string | undefined {
  const guid = objectId.guid;
  return typeof guid === "string" && guid !== "" && !isPlaceholder(guid) ? guid : undefined;
}

export function qualifiedNameOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const qn = value.qualifiedName;
  return typeof qn === "string" && qn !== "" ? qn : undefined;
}

/** The entity type an attribute's references have: a relationship's other end, or the attribute's type. */
function referenceType(info: EntityTypeInfo, name: string): string | undefined {
  const end = info.relationshipAttributes.get(name)?.[0];
  if (end) return end.otherType;
  const typeName = info.attributes.get(name)?.typeName;
  return typeName?.replace(/^array<(.*)>$/, "$1");
}

/** The references of a relationship attribute's value; anything else there is an error. */
export function linkTargets(typeName: string, name: string, value: JsonValue): LinkTarget[] {
  const targets: LinkTarget[] = [];
  const values = value === null ? [] : Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item === null) continue;
    if (!isObject(item) || typeof item.guid !== "string") {
      throw new StoreInvalidEntityError(
        `${typeName}.${name} is a relationship attribute: its value must be object ids, got ${JSON.stringify(item).slice(0, 200)}`,
      );
    }
    targets.push({
      guid: item.guid,
      ...(typeof item.relationshipType === "string"
        ? { relationshipType: item.relationshipType }
        : {}),
    });
  }
  return targets;
}

export function checkDepth(entities: [string, unknown][], referred: Record<string, unknown>): void {
  const where =
    tooDeep(entities) ??
    (hasKey(referred)
      ? tooDeep(
          Object.entries(referred).map(([guid, e]): [string, unknown] => [
            `referredEntities["${guid}"]`,
            e,
          ]),
        )
      : undefined);
  if (where !== undefined)
    throw new StoreInvalidEntityError(
      `${where} is nested more than ${MAX_ENTITY_DEPTH} levels deep`,
    );
}

/**
 * Gives a typeName to the object ids that lack one (`{"guid": "-2"}`, `typeName: null`) in
 * the attributes whose type says they hold references: the referred entity's type (`known`),
 * else the attribute's entity type.
 */
export function typeReferences(
  types: TypeRegistry,
  entity: AtlasEntity,
  known: (guid: string) => string | undefined,
  typeName: string | undefined = undefined,
): void {
  const type = isObject(entity) ? (entity.typeName ?? typeName) : undefined;
  if (typeof type !== "string" || !types.isEntityType(type)) return;
  const info = types.entityType(type);
  const fill = (value: JsonValue | undefined, fallback: string | undefined): void => {
    if (Array.isArray(value)) return value.forEach((v) => fill(v, fallback));
    if (!isObject(value) || typeof value.typeName === "string") return;
    const guid = value.guid;
    if (typeof guid !== "string" || guid === "" || value.attributes !== undefined) return;
    const name = known(guid) ?? fallback;
    if (name !== undefined) value.typeName = name;
  };
  const fillAll = (values: unknown): void => {
    if (!isObject(values)) return;
    for (const name in values) {
      const value = values[name];
      // Most attribute values are strings, numbers or null: no object id to fill in.
      if (typeof value === "object" && value !== null) fill(value, referenceType(info, name));
    }
  };
  fillAll(entity.attributes);
  fillAll(entity.relationshipAttributes);
}

/** Not found, by guid or by type + qualifiedName, as the object id named it. */
export function notFound(objectId: AtlasObjectId): StoreNotFoundError {
  const qn = qualifiedNameOf(objectId.uniqueAttributes);
  return assignedGuid(objectId) !== undefined || qn === undefined
    ? new StoreNotFoundError({ guid: String(objectId.guid) })
    : new StoreNotFoundError({ typeName: objectId.typeName, qualifiedName: qn });
}
