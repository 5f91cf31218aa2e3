// Atlas V2 entities, object ids and classifications: what hooks send and the store keeps.
import type { JsonValue } from "./json.js";

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

/** An Atlas V2 entity. Fields the codec and the store do not interpret are kept as they came. */
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
