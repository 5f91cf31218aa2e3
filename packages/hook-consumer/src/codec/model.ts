/**
 * The typed notification a hook message decodes to. The Atlas model itself (entities,
 * object ids, the four notification shapes) lives in @atlas-ha/atlas-model, so the store
 * takes it without depending on this package; what is here is about the Kafka envelope.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";

export type {
  AtlasClassification,
  AtlasEntitiesWithExtInfo,
  AtlasEntity,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
  EntityCreateNotification,
  EntityDeleteNotification,
  EntityFullUpdateNotification,
  EntityPartialUpdateNotification,
  HookNotification,
  JsonObject,
  JsonValue,
  V1Type,
  V2Type,
  WireType,
} from "@atlas-ha/atlas-model";
export { V1_TYPES, V2_TYPES } from "@atlas-ha/atlas-model";

/** Envelope version this consumer understands; newer ones are refused (docs/contracts/hooks.md). */
export const CURRENT_VERSION = { version: "1.0.0", versionParts: [1] } as const;

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
