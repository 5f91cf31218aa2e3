// Public API of @atlas-ha/atlas-model: the Atlas metadata model's types, shared by the hook
// codec (@atlas-ha/hook-consumer) and the metadata store, so neither depends on the other.
export type { JsonObject, JsonValue } from "./json.js";
export type {
  AtlasClassification,
  AtlasEntitiesWithExtInfo,
  AtlasEntity,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
} from "./entity.js";
export {
  V1_TYPES,
  V2_TYPES,
  type EntityCreateNotification,
  type EntityDeleteNotification,
  type EntityFullUpdateNotification,
  type EntityPartialUpdateNotification,
  type HookNotification,
  type V1Type,
  type V2Type,
  type WireType,
} from "./notification.js";
