/**
 * The typed notification a hook message decodes to. V1 and V2 bodies are normalised to
 * the same four shapes (named after the V2 types), so an application applies one model.
 */
import type { AtlasEntitiesWithExtInfo, AtlasEntityWithExtInfo, AtlasObjectId } from "./entity.js";

/** The hook types on the wire: V2, and V1 (older hooks, normalised on decode). */
export const V2_TYPES = [
  "ENTITY_CREATE_V2",
  "ENTITY_FULL_UPDATE_V2",
  "ENTITY_PARTIAL_UPDATE_V2",
  "ENTITY_DELETE_V2",
] as const;
export const V1_TYPES = [
  "ENTITY_CREATE",
  "ENTITY_FULL_UPDATE",
  "ENTITY_PARTIAL_UPDATE",
  "ENTITY_DELETE",
] as const;
export type V2Type = (typeof V2_TYPES)[number];
export type V1Type = (typeof V1_TYPES)[number];
export type WireType = V1Type | V2Type;

interface NotificationBase {
  /** The user the hook ran as; absent in some legacy V1 messages. */
  user?: string;
  /** The format on the wire: V1 bodies are converted to the V2 model. */
  format: "V1" | "V2";
  /** The `type` as it was on the wire, e.g. `ENTITY_CREATE` for a V1 create. */
  wireType: WireType;
}

/** Upsert every entity by type + `qualifiedName`; referred entities resolve placeholders. */
export interface EntityCreateNotification extends NotificationBase {
  type: "ENTITY_CREATE_V2";
  entities: AtlasEntitiesWithExtInfo;
}

export interface EntityFullUpdateNotification extends NotificationBase {
  type: "ENTITY_FULL_UPDATE_V2";
  entities: AtlasEntitiesWithExtInfo;
}

/** Change only the given attributes of the entity currently identified by `entityId`. */
export interface EntityPartialUpdateNotification extends NotificationBase {
  type: "ENTITY_PARTIAL_UPDATE_V2";
  entityId: AtlasObjectId;
  entity: AtlasEntityWithExtInfo;
}

/** Soft-delete each entity; deleting what is already gone is a no-op. */
export interface EntityDeleteNotification extends NotificationBase {
  type: "ENTITY_DELETE_V2";
  entities: AtlasObjectId[];
}

export type HookNotification =
  | EntityCreateNotification
  | EntityFullUpdateNotification
  | EntityPartialUpdateNotification
  | EntityDeleteNotification;
