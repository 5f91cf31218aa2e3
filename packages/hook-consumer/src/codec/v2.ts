import {
  optionalObject,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  withUser,
} from "./fields.js";
import type {
  AtlasEntitiesWithExtInfo,
  AtlasEntity,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
  HookNotification,
  JsonObject,
  V2Type,
} from "./model.js";

// V2 bodies are already in the model's shape: they are checked, not converted, so fields
// this package does not interpret (labels, customAttributes, …) reach the application intact.

export function decodeV2(body: JsonObject, type: V2Type): HookNotification {
  const user = optionalString(body.user, "user");
  switch (type) {
    case "ENTITY_CREATE_V2":
    case "ENTITY_FULL_UPDATE_V2":
      return withUser(user, {
        format: "V2",
        wireType: type,
        type,
        entities: entitiesWithExtInfo(body.entities, "entities"),
      });
    case "ENTITY_PARTIAL_UPDATE_V2":
      return withUser(user, {
        format: "V2",
        wireType: type,
        type,
        entityId: objectId(body.entityId, "entityId"),
        entity: entityWithExtInfo(body.entity, "entity"),
      });
    case "ENTITY_DELETE_V2":
      return withUser(user, {
        format: "V2",
        wireType: type,
        type,
        entities: requireArray(body.entities, "entities").map((id, i) =>
          objectId(id, `entities[${i}]`),
        ),
      });
  }
}

export function entity(value: unknown, path: string): AtlasEntity {
  const obj = requireObject(value, path);
  requireString(obj.typeName, `${path}.typeName`);
  optionalString(obj.guid, `${path}.guid`);
  optionalObject(obj.attributes, `${path}.attributes`);
  optionalObject(obj.relationshipAttributes, `${path}.relationshipAttributes`);
  return obj as AtlasEntity;
}

export function objectId(value: unknown, path: string): AtlasObjectId {
  const obj = requireObject(value, path);
  requireString(obj.typeName, `${path}.typeName`);
  const guid = optionalString(obj.guid, `${path}.guid`);
  const unique = optionalObject(obj.uniqueAttributes, `${path}.uniqueAttributes`);
  if (guid === undefined && unique === undefined) {
    // Without either, nothing identifies the entity: report the one hooks normally send.
    requireObject(undefined, `${path}.uniqueAttributes`);
  }
  return obj as AtlasObjectId;
}

function referred(value: unknown, path: string): Record<string, AtlasEntity> {
  const obj = optionalObject(value, path) ?? {};
  for (const [guid, e] of Object.entries(obj)) entity(e, `${path}.${guid}`);
  return obj as Record<string, AtlasEntity>;
}

function entitiesWithExtInfo(value: unknown, path: string): AtlasEntitiesWithExtInfo {
  const obj = requireObject(value, path);
  const entities = requireArray(obj.entities, `${path}.entities`).map((e, i) =>
    entity(e, `${path}.entities[${i}]`),
  );
  return { entities, referredEntities: referred(obj.referredEntities, `${path}.referredEntities`) };
}

function entityWithExtInfo(value: unknown, path: string): AtlasEntityWithExtInfo {
  const obj = requireObject(value, path);
  return {
    entity: entity(obj.entity, `${path}.entity`),
    referredEntities: referred(obj.referredEntities, `${path}.referredEntities`),
  };
}
