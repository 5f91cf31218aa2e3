/**
 * Relationships as stored (one row each: its own guid, type, status, two ends and attributes)
 * and their Atlas JSON: `AtlasRelationship`, and the related object ids an entity's
 * `relationshipAttributes` show (docs/contracts/model.md). Backend-independent.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import type { EntityRecord } from "./entities.js";

export interface RelationshipRecord {
  guid: string;
  typeName: string;
  status: "ACTIVE" | "DELETED";
  end1Guid: string;
  end2Guid: string;
  attributes: Record<string, JsonValue>;
  version: number;
  createdBy: string;
  updatedBy: string;
  createTime: number;
  updateTime: number;
  /** Epoch and write-log seq of the write that last touched the row. */
  writeEpoch: number;
  writeSeq: number;
  /** Write-log seq of the write that created it, and its place in that write (display order). */
  createSeq: number;
  createOrd: number;
}

/** The guid at the other end from `guid` (a relationship of an entity with itself: the same). */
export function otherEnd(relationship: RelationshipRecord, guid: string): string {
  return relationship.end1Guid === guid ? relationship.end2Guid : relationship.end1Guid;
}

/** The guid at end 1 or 2. */
export function endGuid(relationship: RelationshipRecord, end: 1 | 2): string {
  return end === 1 ? relationship.end1Guid : relationship.end2Guid;
}

export function relationshipContent(r: RelationshipRecord): string {
  return JSON.stringify([r.status, r.end1Guid, r.end2Guid, r.attributes]);
}

function displayText(record: EntityRecord): string {
  return record.name ?? record.qualifiedName ?? record.guid;
}

/** An entity as one end of a relationship (Atlas's AtlasObjectId). */
export function endObjectId(record: EntityRecord): Record<string, JsonValue> {
  return {
    guid: record.guid,
    typeName: record.typeName,
    uniqueAttributes: record.qualifiedName === null ? {} : { qualifiedName: record.qualifiedName },
  };
}

/** Atlas's AtlasRelatedObjectId: the entity at the other end, seen through the relationship. */
export function relatedObjectId(
  target: EntityRecord,
  relationship: RelationshipRecord,
): Record<string, JsonValue> {
  return {
    ...endObjectId(target),
    entityStatus: target.status,
    displayText: displayText(target),
    relationshipType: relationship.typeName,
    relationshipGuid: relationship.guid,
    relationshipStatus: relationship.status,
    relationshipAttributes: {
      typeName: relationship.typeName,
      attributes: relationship.attributes,
    },
  };
}

/** Atlas's AtlasRelationship. */
export function toAtlasRelationship(
  relationship: RelationshipRecord,
  end1: EntityRecord | undefined,
  end2: EntityRecord | undefined,
  label: string,
  propagateTags: string,
): Record<string, JsonValue> {
  const end = (guid: string, record: EntityRecord | undefined): JsonValue =>
    record ? endObjectId(record) : { guid };
  return {
    typeName: relationship.typeName,
    attributes: relationship.attributes,
    guid: relationship.guid,
    provenanceType: 0,
    end1: end(relationship.end1Guid, end1),
    end2: end(relationship.end2Guid, end2),
    label,
    propagateTags,
    status: relationship.status,
    createdBy: relationship.createdBy,
    updatedBy: relationship.updatedBy,
    createTime: relationship.createTime,
    updateTime: relationship.updateTime,
    version: relationship.version,
  };
}
