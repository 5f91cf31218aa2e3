/**
 * The typed notification a hook message decodes to. V1 and V2 bodies are normalised to
 * the same four shapes (named after the V2 types), so an application applies one model.
 */

/** Envelope version this consumer understands; newer ones are refused (SPEC §8). */
export const CURRENT_VERSION = { version: "1.0.0", versionParts: [1] } as const;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A reference to an entity: by guid, or by type + unique attributes (`qualifiedName`). */
export interface AtlasObjectId {
  guid?: string;
  typeName: string;
  uniqueAttributes?: Record<string, JsonValue>;
  [extra: string]: unknown;
}

export interface AtlasClassification {
  typeName: string;
  attributes?: Record<string, JsonValue>;
  [extra: string]: unknown;
}

/** An Atlas V2 entity. Fields this package does not interpret are kept as they came. */
export interface AtlasEntity {
  typeName: string;
  /** Negative numbers (as strings) are placeholders, resolved within the message. */
  guid?: string;
  attributes?: Record<string, JsonValue>;
  relationshipAttributes?: Record<string, JsonValue>;
  classifications?: AtlasClassification[];
  [extra: string]: unknown;
}

export interface AtlasEntitiesWithExtInfo {
  entities: AtlasEntity[];
  referredEntities: Record<string, AtlasEntity>;
}

export interface AtlasEntityWithExtInfo {
  entity: AtlasEntity;
  referredEntities: Record<string, AtlasEntity>;
}

/** The hook types on the wire: V2, and V1 (older hooks, normalised on decode). */
export const V2_TYPES = ["ENTITY_CREATE_V2", "ENTITY_FULL_UPDATE_V2", "ENTITY_PARTIAL_UPDATE_V2", "ENTITY_DELETE_V2"] as const;
export const V1_TYPES = ["ENTITY_CREATE", "ENTITY_FULL_UPDATE", "ENTITY_PARTIAL_UPDATE", "ENTITY_DELETE"] as const;
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

export type CompressionKind = "NONE" | "GZIP";

/** What the envelope said about a message (the inner envelope, for compressed / split ones). */
export interface EnvelopeInfo {
  /** False for a legacy bare body sent without an envelope. */
  enveloped: boolean;
  version?: string;
  source?: JsonValue;
  msgId?: string;
  /** How the message travelled: GZIP when it was compressed on the wire. */
  compression: CompressionKind;
  /** Number of Kafka records it was split into (1 when not split). */
  splitCount: number;
  msgSourceIP?: string;
  msgCreatedBy?: string;
  /** Epoch ms when the hook created the message. */
  msgCreationTime?: number;
  spooled?: boolean;
}
