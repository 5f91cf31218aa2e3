/**
 * The entities one write has loaded or created, by guid in the order first seen (the response
 * order), with what each was when loaded (to write only what changed) and which ACTIVE
 * entity holds each type + qualifiedName as things stand in the write.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import { contentOf, createdMarks, isObject, stringAttr, type EntityRecord } from "./entities.js";
import type { MutationContext } from "./mutation.js";
import type { AtlasObjectId } from "@atlas-ha/atlas-model";
import { StoreInvalidEntityError } from "./errors.js";
import { assignedGuid, qualifiedNameOf, uniqueKey } from "./references.js";

export class EntityRecords {
  readonly #c: MutationContext;
  readonly #records = new Map<string, EntityRecord>();
  /** contentOf() of loaded records as loaded; a record absent here was created by this write. */
  readonly #loaded = new Map<string, string>();
  /** type + qualifiedName → guid, for active records as they stand in this write. */
  readonly #byUnique = new Map<string, string>();

  constructor(context: MutationContext) {
    this.#c = context;
  }

  get(guid: string): EntityRecord | undefined {
    return this.#records.get(guid);
  }

  all(): IterableIterator<EntityRecord> {
    return this.#records.values();
  }

  /** What the record was when loaded; undefined for a record this write created. */
  loadedContent(guid: string): string | undefined {
    return this.#loaded.get(guid);
  }

  /** `record` now holds its type + qualifiedName (after a rename, `before` is free). */
  holdName(record: EntityRecord, before: string | null): void {
    if (record.qualifiedName !== null)
      this.#byUnique.set(uniqueKey(record.typeName, record.qualifiedName), record.guid);
    if (before !== null) this.#byUnique.delete(uniqueKey(record.typeName, before));
  }

  /** `record` no longer holds its name (it is deleted). */
  releaseName(record: EntityRecord): void {
    if (record.qualifiedName !== null)
      this.#byUnique.delete(uniqueKey(record.typeName, record.qualifiedName));
  }

  track(record: EntityRecord): EntityRecord {
    const known = this.#records.get(record.guid);
    if (known) return known;
    this.#records.set(record.guid, record);
    this.#loaded.set(record.guid, contentOf(record));
    if (record.status === "ACTIVE" && record.qualifiedName !== null) {
      this.#byUnique.set(uniqueKey(record.typeName, record.qualifiedName), record.guid);
    }
    return record;
  }

  async load(guid: string): Promise<EntityRecord | undefined> {
    const known = this.#records.get(guid);
    if (known) return known;
    const record = await this.#c.tx.entity(guid);
    return record && this.track(record);
  }

  /** The active record of one of `typeNames` with that qualifiedName, as it stands in this mutation. */
  async findActive(typeNames: string[], qualifiedName: string): Promise<EntityRecord | undefined> {
    for (const typeName of typeNames) {
      const guid = this.#byUnique.get(uniqueKey(typeName, qualifiedName));
      if (guid !== undefined) return this.#records.get(guid);
    }
    const stored = await this.#c.tx.activeByUnique(typeNames, qualifiedName);
    if (!stored) return undefined;
    const record = this.track(stored);
    // Renamed or deleted earlier in this mutation: the stored row is stale.
    return record.status === "ACTIVE" && record.qualifiedName === qualifiedName
      ? record
      : undefined;
  }

  create(
    typeName: string,
    attributes: Record<string, JsonValue>,
    isIncomplete: boolean,
  ): EntityRecord {
    this.#c.types.entityType(typeName, isIncomplete ? "in a reference" : undefined);
    const record: EntityRecord = {
      guid: this.#c.newGuid(),
      typeName,
      qualifiedName: stringAttr(attributes, "qualifiedName"),
      name: stringAttr(attributes, "name"),
      status: "ACTIVE",
      isIncomplete,
      attributes,
      relationshipAttributes: {},
      classifications: [],
      labels: [],
      customAttributes: {},
      businessAttributes: {},
      ...createdMarks(this.#c),
    };
    this.#records.set(record.guid, record);
    if (record.qualifiedName !== null)
      this.#byUnique.set(uniqueKey(typeName, record.qualifiedName), record.guid);
    return record;
  }

  /** The entity an object id names: by guid (any status), else the ACTIVE one by type + qualifiedName. */
  async byObjectId(objectId: AtlasObjectId): Promise<EntityRecord | undefined> {
    if (!isObject(objectId) || typeof objectId.typeName !== "string") {
      throw new StoreInvalidEntityError(
        "an entity id needs a typeName and a guid or uniqueAttributes.qualifiedName",
      );
    }
    const guid = assignedGuid(objectId);
    if (guid !== undefined) {
      return this.load(guid);
    }
    const qn = qualifiedNameOf(objectId.uniqueAttributes);
    if (qn === undefined) {
      throw new StoreInvalidEntityError(
        `an entity id of type ${objectId.typeName} needs uniqueAttributes.qualifiedName`,
      );
    }
    return this.findActive(this.#c.types.withSubtypes(objectId.typeName), qn);
  }
}
