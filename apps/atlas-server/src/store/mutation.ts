/**
 * Entity writes with Atlas semantics, inside one store transaction (backend-independent):
 *
 * - upsert by type + qualifiedName; an entity named by an assigned guid is updated in place;
 * - negative guids are placeholders, resolved within the request — between its entities and
 *   its referred entities — and reported in `guidAssignments`;
 * - a reference to an entity neither sent nor stored, given by type + uniqueAttributes,
 *   creates a SHELL entity (isIncomplete) that a later full create fills in;
 * - updates merge: only the attributes given change (an explicit null sets null), which is
 *   what Atlas does for both full and partial updates; a new qualifiedName renames;
 * - an update that changes nothing writes nothing (no version bump, not in the response);
 * - relationship attributes (the ends of relationshipDefs, sent in `attributes` or
 *   `relationshipAttributes`) are relationships, kept by the Linker (linker.ts), not in the
 *   entity's JSON; an object id with a guid alone is a reference where the attribute's type
 *   says so;
 * - deletes are soft (status DELETED) and cascade to what the entity owns (COMPOSITION
 *   relationships in either direction, `ownedRef`), e.g. a Hive table's columns and storage
 *   descriptor.
 *
 * Records are changed in memory; flush() writes what differs from what was loaded.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type {
  AtlasEntitiesWithExtInfo,
  AtlasEntity,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
  JsonValue,
} from "@atlas-ha/atlas-model";
import {
  contentOf,
  forEachRef,
  hasKey,
  isObject,
  isPlaceholder,
  mapRefs,
  refGuid,
  refTo,
  stringAttr,
  touch,
  toHeader,
  type EntityJsonColumns,
  type EntityRecord,
  type ObjectRef,
} from "./entities.js";
import { StoreConflictError, StoreInvalidEntityError, StoreReferenceError } from "./errors.js";
import { writeEntityAudits, type AuditedChange } from "./audit.js";
import { applyExtras, editExtras, type EntityEdit, type ExtrasOptions } from "./extras.js";
import { Linker, type LinkTarget } from "./linker.js";
import { propagateAcross, propagateEntityChanges, type EntityChange } from "./propagation.js";
import { EntityRecords } from "./records.js";
import {
  assignedGuid,
  checkDepth,
  linkTargets,
  notFound,
  qualifiedNameOf,
  typeReferences,
} from "./references.js";
import type { SqlTx } from "./sql.js";
import type { EntityMutationResponse, EntityOperation } from "./types.js";
import type { TypeRegistry } from "./typesystem.js";
import { validateEntity, type ValidationInput } from "./validate.js";

export interface MutationContext {
  tx: SqlTx;
  types: TypeRegistry;
  epoch: number;
  /** This write's place in the write log; stamped on every row it touches. */
  seq: number;
  user: string;
  now: number;
  newGuid: () => string;
}

export interface CreateOrUpdateOptions extends ExtrasOptions {
  /**
   * A reference by unique attributes to an entity that does not exist creates a shell entity
   * (hook messages, Atlas's default) or fails with STORE_REFERENCE_NOT_FOUND (REST). Default true.
   */
  createShells?: boolean;
}

interface Item {
  entity: AtlasEntity;
  /** The key it had in referredEntities (its guid when the entity carries none). */
  key?: string;
  /** Set for a partial update: the entity it applies to is already known. */
  target?: EntityRecord;
}

/**
 * The response's placeholder → guid map, as an object without a prototype. Each message's
 * placeholders are keys never seen before: set on an object literal, every new key added a
 * hidden-class transition to V8's shared empty-object map (~2.5 µs a key, twice per entity
 * with the copy); an object without a prototype is a plain dictionary from the start.
 */
function guidAssignments(assignments: ReadonlyMap<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [placeholder, guid] of assignments) out[placeholder] = guid;
  return out;
}

export class Mutation {
  readonly #c: MutationContext;
  readonly #records: EntityRecords;
  readonly #partial = new Set<string>();
  readonly #deleted = new Set<string>();
  /** Guids of the request (placeholders, assigned guids, referredEntities keys) → real guids. */
  readonly #aliases = new Map<string, string>();
  readonly #assignments = new Map<string, string>();
  readonly #linker: Linker;
  #options: CreateOrUpdateOptions = {};

  constructor(context: MutationContext) {
    this.#c = context;
    this.#records = new EntityRecords(context);
    this.#linker = new Linker(context, {
      load: (guid) => this.#records.load(guid),
      deleteEntity: (record) => this.#delete(record),
    });
  }

  async createOrUpdate(
    input: AtlasEntitiesWithExtInfo,
    options: CreateOrUpdateOptions = {},
  ): Promise<void> {
    this.#options = options;
    if (!isObject(input) || !Array.isArray(input.entities)) {
      throw new StoreInvalidEntityError(
        "the request needs `entities`: a list of entities (or `entity` for a single one)",
      );
    }
    const referred = (isObject(input.referredEntities) ? input.referredEntities : {}) as Record<
      string,
      AtlasEntity
    >;
    checkDepth(
      input.entities.map((e, i) => [`entities[${i}]`, e]),
      referred,
    );
    await this.#apply(
      input.entities.map((entity) => ({ entity })),
      referred,
    );
  }

  /** Changes only the given attributes of the active entity `objectId` names (docs/contracts/hooks.md). */
  async partialUpdate(objectId: AtlasObjectId, input: AtlasEntityWithExtInfo): Promise<void> {
    if (isObject(input))
      checkDepth(
        [["entity", input.entity]],
        isObject(input.referredEntities) ? input.referredEntities : {},
      );
    const target = await this.#records.byObjectId(objectId);
    if (!target) throw notFound(objectId);
    const entity =
      isObject(input) && isObject(input.entity) ? (input.entity as AtlasEntity) : undefined;
    if (!entity)
      throw new StoreInvalidEntityError(
        "a partial update needs `entity` with the attributes to change",
      );
    if (
      entity.typeName !== undefined &&
      entity.typeName !== null &&
      entity.typeName !== target.typeName
    ) {
      const info = this.#c.types.entityType(target.typeName);
      if (!info.superTypes.has(entity.typeName)) {
        throw new StoreInvalidEntityError(
          `entity ${target.guid} is a ${target.typeName}, not a ${entity.typeName}`,
        );
      }
    }
    this.#partial.add(target.guid);
    await this.#apply(
      [{ entity, target }],
      isObject(input.referredEntities) ? input.referredEntities : {},
    );
  }

  /** Changes what an ACTIVE entity carries (classifications, labels, business attributes). */
  async edit(objectId: AtlasObjectId, edit: EntityEdit): Promise<void> {
    const record = await this.#records.byObjectId(objectId);
    if (!record || record.status !== "ACTIVE") throw notFound(objectId);
    editExtras(this.#c.types, record, edit);
    this.#partial.add(record.guid);
  }

  /** Soft delete; what does not exist is a StoreNotFoundError or, with "ignore", nothing. */
  async delete(objectId: AtlasObjectId, ifMissing: "ignore" | "error"): Promise<void> {
    const record = await this.#records.byObjectId(objectId);
    if (record) return this.#delete(record);
    if (ifMissing === "ignore") return;
    // Deleting what is already deleted is a no-op, not an error (Atlas answers 200).
    const qn = qualifiedNameOf(objectId.uniqueAttributes);
    if (assignedGuid(objectId) === undefined && qn !== undefined) {
      const gone = await this.#c.tx.latestByUnique(
        this.#c.types.withSubtypes(objectId.typeName),
        qn,
      );
      if (gone) return;
    }
    throw notFound(objectId);
  }

  /** Writes what changed and returns Atlas's EntityMutationResponse, plus how many entities changed. */
  async flush(): Promise<{ response: EntityMutationResponse; changed: number }> {
    const mutated: Partial<Record<EntityOperation, ReturnType<typeof toHeader>[]>> = {};
    const changed = await this.#write((operation, record) =>
      (mutated[operation] ??= []).push(toHeader(record)),
    );
    return {
      response: { mutatedEntities: mutated, guidAssignments: guidAssignments(this.#assignments) },
      changed,
    };
  }

  /**
   * flush() for a caller that does not answer with the response (the hook consumer): the same
   * writes, without the headers and guid assignments — kept until the whole batch commits,
   * they were ~6% of the store's CPU per hook message (docs/decisions.md).
   */
  flushChanges(): Promise<number> {
    return this.#write(undefined);
  }

  /** Writes what changed, telling `report` of each changed entity; returns how many changed. */
  async #write(
    report: ((operation: EntityOperation, record: EntityRecord) => void) | undefined,
  ): Promise<number> {
    const { tx } = this.#c;
    let changed = await this.#linker.flush();
    let createOrd = 0;
    const audited: AuditedChange[] = [];
    const propagation: EntityChange[] = [];
    for (const record of this.#records.all()) {
      const loaded = this.#records.loadedContent(record.guid);
      const content = loaded === undefined ? undefined : contentOf(record);
      if (loaded === undefined || loaded !== content) propagation.push({ loaded, after: record });
      let operation: EntityOperation;
      let json: EntityJsonColumns;
      if (loaded === undefined) {
        json = await tx.insertEntity(record, createOrd++);
        operation = "CREATE";
      } else if (loaded !== content) {
        touch(record, this.#c);
        json = await tx.updateEntity(record);
        operation = this.#deleted.has(record.guid)
          ? "DELETE"
          : this.#partial.has(record.guid)
            ? "PARTIAL_UPDATE"
            : "UPDATE";
      } else {
        continue;
      }
      changed += 1;
      report?.(operation, record);
      audited.push({ record, before: loaded, json });
    }
    await writeEntityAudits(this.#c, audited);
    // Propagation reads the rows as this write left them (propagation.ts).
    await propagateEntityChanges(tx, this.#c.types, this.#c.seq, propagation);
    await propagateAcross(tx, this.#c.types, this.#c.seq, this.#linker.created());
    return changed;
  }

  async #apply(items: Item[], referred: Record<string, AtlasEntity>): Promise<void> {
    const known = (guid: string): string | undefined => {
      const type =
        referred[guid]?.typeName ?? this.#records.get(this.#aliases.get(guid) ?? guid)?.typeName;
      return typeof type === "string" ? type : undefined;
    };
    const types = this.#c.types;
    for (const item of items) typeReferences(types, item.entity, known, item.target?.typeName);
    for (const entity of Object.values(referred)) typeReferences(types, entity, known);
    // 1. The referred entities reached from the request's entities (transitively) join it;
    //    Atlas ignores the ones nothing refers to.
    const queue = [...items];
    const queued = hasKey(referred)
      ? new Set(items.map((i) => i.entity.guid).filter((g): g is string => typeof g === "string"))
      : undefined;
    // No referred entities (most hook messages): nothing to reach, no walk.
    for (let i = 0; queued !== undefined && i < queue.length; i++) {
      const visit = (ref: ObjectRef): void => {
        const guid = refGuid(ref);
        const next = guid === undefined ? undefined : referred[guid];
        if (guid !== undefined && !queued.has(guid) && isObject(next)) {
          queued.add(guid);
          queue.push({ entity: next, key: guid });
        }
      };
      const entity = queue[i]!.entity;
      for (const v of Object.values(isObject(entity.attributes) ? entity.attributes : {}))
        forEachRef(v, visit);
      for (const v of Object.values(
        isObject(entity.relationshipAttributes) ? entity.relationshipAttributes : {},
      ))
        forEachRef(v, visit);
    }
    // 2. Every entity gets its record (found or new) before any reference is resolved, so
    //    references between entities of the request resolve whatever their order.
    const targets: { entity: AtlasEntity; record: EntityRecord }[] = [];
    for (const [index, item] of queue.entries()) {
      const record =
        item.target ?? (await this.#identify(item.entity, item.key, `entities[${index}]`));
      if (item.target && typeof item.entity.guid === "string" && item.entity.guid !== record.guid) {
        this.#aliases.set(item.entity.guid, record.guid);
      }
      targets.push({ entity: item.entity, record });
    }
    // 3. References → object ids of real entities (shells where needed); then merge, and
    //    last the relationships, once every entity of the request has its record.
    const links: { record: EntityRecord; name: string; targets: LinkTarget[] }[] = [];
    // Atlas resolves every reference of the request before it validates an entity.
    const resolved: { entity: AtlasEntity; record: EntityRecord; given: ValidationInput }[] = [];
    for (const { entity, record } of targets) {
      const attributes = await this.#resolveAll(entity.attributes);
      const relationshipAttributes = await this.#resolveAll(entity.relationshipAttributes);
      // What validation reads, not a copy of the entity with these two replaced: entities
      // come in many shapes, and V8 spreads objects of many shapes slowly (docs/decisions.md).
      const given = { attributes, relationshipAttributes, isIncomplete: entity.isIncomplete };
      resolved.push({ record, entity, given });
    }
    for (const { entity, record, given } of resolved) {
      // Atlas's validateAndNormalize(ForUpdate): checked against the typedefs, normalised.
      const mode = this.#partial.has(record.guid) ? "update" : "create";
      const { attributes, relationshipAttributes } = validateEntity(
        this.#c.types,
        record.typeName,
        given,
        mode,
      );
      const ends = this.#c.types.entityType(record.typeName).relationshipAttributes;
      // Made only when the entity sets a relationship (no map for the others).
      let linked: Map<string, JsonValue> | undefined;
      for (const values of [attributes, relationshipAttributes]) {
        for (const name in values) {
          if (!ends.has(name)) continue;
          // relationshipAttributes come second and win
          (linked ??= new Map<string, JsonValue>()).set(name, values[name]!);
          delete values[name];
        }
      }
      await this.#merge(record, attributes, relationshipAttributes, entity);
      for (const [name, value] of linked ?? []) {
        // A copy kept in the entity's JSON by an older version is superseded.
        delete record.attributes[name];
        delete record.relationshipAttributes[name];
        links.push({ record, name, targets: linkTargets(record.typeName, name, value) });
      }
    }
    for (const { record, name, targets: to } of links) await this.#linker.set(record, name, to);
  }

  async #identify(
    entity: AtlasEntity,
    key: string | undefined,
    where: string,
  ): Promise<EntityRecord> {
    if (!isObject(entity) || typeof entity.typeName !== "string" || entity.typeName === "") {
      throw new StoreInvalidEntityError(`${where}: every entity needs a typeName`);
    }
    const requestGuid = typeof entity.guid === "string" && entity.guid !== "" ? entity.guid : key;
    const known = requestGuid === undefined ? undefined : this.#aliases.get(requestGuid);
    if (known !== undefined) return this.#records.get(known)!;

    const type = this.#c.types.entityType(entity.typeName, where);
    const qn = qualifiedNameOf(entity.attributes);
    if (type.uniqueAttributes.includes("qualifiedName") && qn === undefined) {
      throw new StoreInvalidEntityError(
        `${where}: a ${entity.typeName} needs attributes.qualifiedName (its unique attribute)`,
        ATLAS_ERRORS.MISSING_UNIQUE_ATTRIBUTE.code,
      );
    }
    let record: EntityRecord | undefined;
    if (requestGuid !== undefined && !isPlaceholder(requestGuid)) {
      record = await this.#records.load(requestGuid);
      if (record && record.typeName !== entity.typeName) {
        throw new StoreInvalidEntityError(
          `${where}: entity ${requestGuid} is a ${record.typeName}, not a ${entity.typeName}`,
        );
      }
      if (record?.status === "DELETED") {
        throw new StoreInvalidEntityError(
          `${where}: entity ${requestGuid} is deleted; send the entity without its guid to create it again`,
        );
      }
    }
    record ??= qn === undefined ? undefined : await this.#records.findActive([entity.typeName], qn);
    record ??= this.#records.create(
      entity.typeName,
      qn === undefined ? {} : { qualifiedName: qn },
      false,
    );
    if (requestGuid !== undefined) {
      this.#aliases.set(requestGuid, record.guid);
      if (requestGuid !== record.guid) this.#assignments.set(requestGuid, record.guid);
    }
    return record;
  }

  async #resolveAll(values: unknown): Promise<Record<string, JsonValue>> {
    const out: Record<string, JsonValue> = {};
    if (!isObject(values)) return out;
    for (const name in values) {
      const value = values[name]!;
      // A scalar holds no reference: no async walk (one promise per attribute otherwise).
      out[name] =
        typeof value === "object" && value !== null
          ? await mapRefs(value, (ref) => this.#resolveRef(ref))
          : value;
    }
    return out;
  }

  async #resolveRef(ref: ObjectRef): Promise<JsonValue> {
    let target: EntityRecord | undefined;
    const guid = refGuid(ref);
    if (guid !== undefined) {
      const alias = this.#aliases.get(guid);
      if (alias !== undefined) target = this.#records.get(alias);
      else if (!isPlaceholder(guid)) target = await this.#records.load(guid);
    }
    const qn = qualifiedNameOf(ref.uniqueAttributes);
    if (!target && qn !== undefined) {
      const typeNames = this.#c.types.withSubtypes(ref.typeName, "in a reference");
      target =
        (await this.#records.findActive(typeNames, qn)) ??
        (this.#options.createShells === false
          ? undefined
          : this.#records.create(ref.typeName, { qualifiedName: qn }, true));
      if (guid !== undefined && target) this.#aliases.set(guid, target.guid);
    }
    if (!target) {
      throw new StoreReferenceError(
        guid !== undefined ? `${ref.typeName} ${guid}` : JSON.stringify(ref),
      );
    }
    return refTo(
      target,
      typeof ref.relationshipType === "string" ? { relationshipType: ref.relationshipType } : {},
    );
  }

  async #merge(
    record: EntityRecord,
    attributes: Record<string, JsonValue>,
    relationshipAttributes: Record<string, JsonValue>,
    entity: AtlasEntity,
  ): Promise<void> {
    const before = record.qualifiedName;
    record.attributes = Object.assign({}, record.attributes, attributes);
    record.relationshipAttributes = Object.assign(
      {},
      record.relationshipAttributes,
      relationshipAttributes,
    );
    const isNew = record.isIncomplete || this.#records.loadedContent(record.guid) === undefined;
    applyExtras(this.#c.types, record, entity, isNew, this.#options);
    record.isIncomplete = false;
    record.name = stringAttr(record.attributes, "name");
    record.qualifiedName = stringAttr(record.attributes, "qualifiedName");
    if (record.qualifiedName === before) return;
    // A rename: the unique key moves, unless another active entity of the type holds it.
    if (
      record.qualifiedName === null &&
      this.#c.types.entityType(record.typeName).uniqueAttributes.includes("qualifiedName")
    ) {
      throw new StoreInvalidEntityError(
        `entity ${record.guid}: qualifiedName cannot be removed`,
        ATLAS_ERRORS.MISSING_UNIQUE_ATTRIBUTE.code,
      );
    }
    if (record.qualifiedName !== null) {
      const holder = await this.#records.findActive([record.typeName], record.qualifiedName);
      if (holder && holder !== record)
        throw new StoreConflictError(record.typeName, record.qualifiedName);
    }
    this.#records.holdName(record, before);
  }

  async #delete(record: EntityRecord): Promise<void> {
    if (record.status === "DELETED") return;
    record.status = "DELETED";
    this.#deleted.add(record.guid);
    this.#records.releaseName(record);
    for (const child of await this.#linker.detach(record)) await this.#delete(child);
    const owned = this.#c.types.isEntityType(record.typeName)
      ? this.#c.types.entityType(record.typeName).ownedAttributes
      : new Set<string>();
    for (const name of owned) {
      const guids: string[] = [];
      const collect = (ref: ObjectRef): void => {
        const guid = refGuid(ref);
        if (guid !== undefined) guids.push(guid);
      };
      forEachRef(record.relationshipAttributes[name], collect);
      forEachRef(record.attributes[name], collect);
      for (const guid of guids) {
        const child = await this.#records.load(guid);
        if (child) await this.#delete(child);
      }
    }
  }
}
