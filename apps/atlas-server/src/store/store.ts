/**
 * The MetadataStore's operations — entity writes and reads, relationships, lineage, search,
 * typedefs, hook messages — each in one transaction of the core (core.ts: fencing, write
 * log, typedef cache).
 */
import type {
  AtlasEntitiesWithExtInfo,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
} from "@atlas-ha/atlas-model";
import type { AnyTypeDef, AtlasTypesDef } from "../models/typedefs.js";
import { StoreTypeInUseError } from "./errors.js";
import type { EntityEdit } from "./extras.js";
import { GlossaryStore } from "./glossary-store.js";
import { lineage, type AtlasLineageInfo, type LineageOptions } from "./lineage.js";
import {
  createRelationship,
  deleteRelationship,
  readRelationship,
  updateRelationship,
  type RelationshipWithExtInfo,
} from "./relationship-store.js";
import { retrieveEntity, type RetrieveOptions } from "./retrieve.js";
import { searchDsl, type DslSearchParams, type DslSearchResult } from "./dsl/run.js";
import { searchBasic } from "./search.js";
import {
  fullTextSearch,
  quickSearch,
  relatedEntities,
  suggestions,
  type FullTextResult,
  type QuickSearchResult,
  type SuggestionsResult,
} from "./search-more.js";
import { withReceivedNames } from "./propagation.js";
import { removeReceived } from "./propagation-relationship.js";
import { Mutation, type CreateOrUpdateOptions, type MutationContext } from "./mutation.js";
import { SqlStoreAdmin } from "./admin-store.js";
import { checkEpoch } from "./core.js";
import { uniqueLookups } from "./prefetch.js";
import type { SqlTx } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";
import {
  checkBusinessMetadataDelete,
  checkDeletable,
  groupTypedefs,
  matchesFilter,
  prepareTypedefs,
  prepareUpdate,
  readTypedef,
  resolveDeletes,
  type TypedefFilter,
} from "./typedefs.js";
import type {
  ApplyHooksOptions,
  EntityMutationResponse,
  EntityWithReferred,
  HookApplied,
  HookApplyResult,
  HookBatchItem,
  HookPosition,
  MetadataStore,
  RelatedEntitiesRequest,
  SearchBasicParams,
  SearchBasicResult,
  StoreChange,
} from "./types.js";

function checkPosition(position: HookPosition): void {
  if (
    typeof position?.topic !== "string" ||
    !Number.isInteger(position.partition) ||
    typeof position.offset !== "string" ||
    !/^\d+$/.test(position.offset)
  ) {
    throw new TypeError(
      `a hook position needs topic, integer partition and a decimal offset string, got ${JSON.stringify(position)}`,
    );
  }
}

/** A checked offset (decimal digits) as the database gives it back: without leading zeros. */
function canonicalOffset(offset: string): string {
  return offset.length > 1 && offset.charCodeAt(0) === 48 ? BigInt(offset).toString() : offset;
}

export class SqlMetadataStore extends SqlStoreAdmin implements MetadataStore {
  readonly glossary = new GlossaryStore({
    read: (work) =>
      this.b.read(async (db) => {
        const tx = this.tx(db);
        return work(tx, await this.registry(tx));
      }),
    write: (epoch, user, operation, work) =>
      this.write(epoch, user, operation, {}, (tx, seq, types, now) =>
        work({ tx, seq, types, now, epoch, user, newGuid: this.newGuid }),
      ),
  });

  createOrUpdate(
    epoch: number,
    entities: AtlasEntitiesWithExtInfo,
    user: string,
    options: CreateOrUpdateOptions = {},
  ): Promise<EntityMutationResponse> {
    return this.#mutate(epoch, user, "ENTITY_CREATE_OR_UPDATE", [
      { kind: "createOrUpdate", entities, options },
    ]);
  }

  partialUpdateByUniqueAttribute(
    epoch: number,
    objectId: AtlasObjectId,
    entity: AtlasEntityWithExtInfo,
    user: string,
  ): Promise<EntityMutationResponse> {
    return this.#mutate(epoch, user, "ENTITY_PARTIAL_UPDATE", [
      { kind: "partialUpdate", objectId, entity },
    ]);
  }

  editEntities(
    epoch: number,
    objectIds: AtlasObjectId[],
    edit: EntityEdit,
    user: string,
  ): Promise<EntityMutationResponse> {
    return this.#mutate(epoch, user, "ENTITY_EDIT", [{ kind: "edit", objectIds, edit }]);
  }

  deleteByGuids(epoch: number, guids: string[], user: string): Promise<EntityMutationResponse> {
    const objectIds = guids.map((guid) => ({ guid, typeName: "" }));
    return this.#mutate(epoch, user, "ENTITY_DELETE", [
      { kind: "delete", objectIds, ifMissing: "ignore" },
    ]);
  }

  deleteByGuid(epoch: number, guid: string, user: string): Promise<EntityMutationResponse> {
    // The type is not needed to find an entity by guid; Mutation only reads it for errors.
    const objectId = { guid, typeName: "" } as AtlasObjectId;
    return this.#mutate(epoch, user, "ENTITY_DELETE", [
      { kind: "delete", objectIds: [objectId], ifMissing: "ignore" },
    ]);
  }

  deleteByUniqueAttribute(
    epoch: number,
    objectId: AtlasObjectId,
    user: string,
  ): Promise<EntityMutationResponse> {
    return this.#mutate(epoch, user, "ENTITY_DELETE", [
      { kind: "delete", objectIds: [objectId], ifMissing: "ignore" },
    ]);
  }

  async getByGuid(guid: string, options: RetrieveOptions = {}): Promise<EntityWithReferred | null> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      const record = await tx.entity(guid);
      return record ? retrieveEntity(tx, await this.registry(tx), record, options) : null;
    });
  }

  /** The ACTIVE entity of the type (or a subtype) with that qualifiedName; a deleted one is not found, as in Atlas. */
  async getByUniqueAttribute(
    typeName: string,
    qualifiedName: string,
    options: RetrieveOptions = {},
  ): Promise<EntityWithReferred | null> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      const types = await this.registry(tx);
      const record = await tx.activeByUnique(types.withSubtypes(typeName), qualifiedName);
      return record ? retrieveEntity(tx, types, record, options) : null;
    });
  }

  /** Lineage of the entity `at` names (a guid, or the ACTIVE entity with a type and qualifiedName); null when none. */
  async lineage(
    at: string | { typeName: string; qualifiedName: string },
    options: LineageOptions,
  ): Promise<AtlasLineageInfo | null> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      const types = await this.registry(tx);
      const record =
        typeof at === "string"
          ? await tx.entity(at)
          : await tx.activeByUnique(types.withSubtypes(at.typeName), at.qualifiedName);
      return record ? lineage(tx, types, record, options) : null;
    });
  }

  async getRelationship(
    guid: string,
    options: { extendedInfo?: boolean } = {},
  ): Promise<RelationshipWithExtInfo | null> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      return readRelationship(tx, await this.registry(tx), guid, options.extendedInfo === true);
    });
  }

  async createRelationship(
    epoch: number,
    relationship: Record<string, unknown>,
    user: string,
  ): Promise<RelationshipWithExtInfo> {
    let out: RelationshipWithExtInfo | undefined;
    await this.write(epoch, user, "RELATIONSHIP_CREATE", {}, async (tx, seq, types, now) => {
      const stamp = { epoch, seq, user, now, newGuid: this.newGuid };
      out = await createRelationship(tx, types, stamp, relationship);
      return 1;
    });
    return out!;
  }

  async updateRelationship(
    epoch: number,
    relationship: Record<string, unknown>,
    user: string,
  ): Promise<RelationshipWithExtInfo> {
    let out: RelationshipWithExtInfo | undefined;
    await this.write(epoch, user, "RELATIONSHIP_UPDATE", {}, async (tx, seq, types, now) => {
      const stamp = { epoch, seq, user, now, newGuid: this.newGuid };
      const { result, changed } = await updateRelationship(tx, types, stamp, relationship);
      out = result;
      return changed;
    });
    return out!;
  }

  async deleteRelationship(epoch: number, guid: string, user: string): Promise<void> {
    await this.write(epoch, user, "RELATIONSHIP_DELETE", {}, async (tx, seq, _types, now) => {
      await deleteRelationship(tx, { epoch, seq, user, now, newGuid: this.newGuid }, guid);
      return 1;
    });
  }

  async removePropagatedClassification(
    epoch: number,
    guid: string,
    name: string,
    sourceGuid: string,
    user: string,
  ): Promise<void> {
    await this.write(epoch, user, "PROPAGATION_REMOVE", {}, async (tx) =>
      removeReceived(tx, guid, name, sourceGuid),
    );
  }

  async searchBasic(params: SearchBasicParams): Promise<SearchBasicResult> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      const result = await searchBasic(
        db,
        this.b.kind,
        await this.registry(tx),
        params,
        this.now(),
      );
      // Headers name the classifications an entity received by propagation too, as Atlas's.
      result.entities = await withReceivedNames(tx, result.entities);
      return result;
    });
  }

  async searchDsl(params: DslSearchParams): Promise<DslSearchResult> {
    return this.b.read(async (db) => {
      const types = await this.registry(this.tx(db));
      return searchDsl(db, this.b.kind, types, params, this.now());
    });
  }

  async quickSearch(params: SearchBasicParams): Promise<QuickSearchResult> {
    return this.b.read(async (db) =>
      quickSearch(db, this.b.kind, await this.registry(this.tx(db)), params, this.now()),
    );
  }

  async fullTextSearch(
    params: Parameters<MetadataStore["fullTextSearch"]>[0],
  ): Promise<FullTextResult> {
    return this.b.read(async (db) =>
      fullTextSearch(db, this.b.kind, await this.registry(this.tx(db)), params, this.now()),
    );
  }

  async suggestions(
    prefixString: string | null,
    fieldName: string | null,
  ): Promise<SuggestionsResult> {
    return this.b.read(async (db) => suggestions(db, this.b.kind, prefixString, fieldName));
  }

  async relatedEntities(request: RelatedEntitiesRequest): Promise<SearchBasicResult> {
    return this.b.read(async (db) => {
      const tx = this.tx(db);
      return relatedEntities(db, tx, this.b.kind, await this.registry(tx), request, this.now());
    });
  }

  async getTypedefs(filter: TypedefFilter = {}): Promise<AtlasTypesDef> {
    return this.b.read(async (db) => {
      const types = await this.registry(this.tx(db));
      return groupTypedefs(
        types.all().filter((e) => matchesFilter(types, e, filter)),
        types,
      );
    });
  }

  async getTypedefByGuid(guid: string): Promise<AnyTypeDef | null> {
    return this.b.read(async (db) => {
      const types = await this.registry(this.tx(db));
      const found = types.all().find((e) => e.def.guid === guid);
      return found ? readTypedef(types, found) : null;
    });
  }

  async getTypedef(name: string): Promise<AnyTypeDef | null> {
    return this.b.read(async (db) => {
      const types = await this.registry(this.tx(db));
      const found = types.get(name);
      return found ? readTypedef(types, found) : null;
    });
  }

  async createTypedefs(
    epoch: number,
    defs: Partial<AtlasTypesDef>,
    user: string,
  ): Promise<AtlasTypesDef> {
    checkEpoch(epoch);
    let created: AtlasTypesDef | undefined;
    await this.write(epoch, user, "TYPEDEF_CREATE", {}, async (tx, seq, types, now) => {
      const prepared = prepareTypedefs(defs, types, { user, now, newGuid: this.newGuid });
      for (const [ord, typedef] of prepared.entries())
        await tx.insertTypedef(typedef, epoch, seq, ord);
      if (prepared.length > 0) await tx.bumpTypedefsVersion();
      created = groupTypedefs(prepared);
      return prepared.length;
    });
    return created!;
  }

  async updateTypedefs(
    epoch: number,
    defs: Partial<AtlasTypesDef>,
    user: string,
  ): Promise<AtlasTypesDef> {
    let updated: AtlasTypesDef | undefined;
    await this.write(epoch, user, "TYPEDEF_UPDATE", {}, async (tx, _seq, types, now) => {
      const prepared = prepareUpdate(defs, types, { user, now, newGuid: this.newGuid });
      for (const typedef of prepared) await tx.updateTypedef(typedef);
      if (prepared.length > 0) await tx.bumpTypedefsVersion();
      updated = groupTypedefs(prepared);
      return prepared.length;
    });
    return updated!;
  }

  async deleteTypedefs(
    epoch: number,
    defs: Partial<AtlasTypesDef>,
    user: string,
    options: { force?: boolean } = {},
  ): Promise<void> {
    await this.write(epoch, user, "TYPEDEF_DELETE", {}, async (tx, _seq, types) => {
      const deleting = resolveDeletes(defs, types);
      // As Atlas: a type with instances (even deleted entities) cannot go, then references.
      for (const entry of deleting) {
        if (!checkBusinessMetadataDelete(entry, options.force === true)) continue;
        if (await tx.typeInUse(entry.def.name))
          throw new StoreTypeInUseError(entry.def.name, "references", "instances exist");
      }
      checkDeletable(deleting, types);
      for (const { def } of deleting) await tx.deleteTypedef(def.name);
      if (deleting.length > 0) await tx.bumpTypedefsVersion();
      return deleting.length;
    });
  }

  applyHook(
    epoch: number,
    position: HookPosition,
    changes: StoreChange[],
    user: string,
    options: { durable?: boolean } = {},
  ): Promise<HookApplyResult> {
    return this.applyHooks(epoch, [{ position, changes, user }], options).then((r) => r[0]!);
  }

  applyHooks(
    epoch: number,
    messages: readonly HookBatchItem[],
    options?: ApplyHooksOptions & { mutations?: true },
  ): Promise<HookApplyResult[]>;
  applyHooks(
    epoch: number,
    messages: readonly HookBatchItem[],
    options: ApplyHooksOptions & { mutations: false },
  ): Promise<HookApplied[]>;
  async applyHooks(
    epoch: number,
    messages: readonly HookBatchItem[],
    options: ApplyHooksOptions = {},
  ): Promise<HookApplied[]> {
    for (const { position } of messages) checkPosition(position);
    const respond = options.mutations !== false;
    const results: (HookApplyResult | HookApplied)[] = messages.map(() => ({ applied: false }));
    // The positions applied before, read once for the batch after the fence check (the
    // first step's): one query per partition instead of one per message. A position twice
    // in the batch is applied at its first occurrence only.
    let applied: Set<string> | undefined;
    // One transaction for the batch, each message a fenced write of its own in it (core.ts
    // writeSteps): its effects and its offset row commit together, or not at all.
    const steps = messages.map(({ position, changes, user }, index) => ({
      user,
      operation: "HOOK",
      work: async (tx: SqlTx, seq: number, types: TypeRegistry, now: number) => {
        // After the fence check, before any change: a redelivered message is skipped here.
        applied ??= await tx.appliedHookPositions(messages.map((m) => m.position));
        const key = `${position.topic}/${position.partition}/${canonicalOffset(position.offset)}`;
        if (applied.has(key)) {
          this.logger.debug({ event: "hook_message_already_applied", ...position });
          return 0;
        }
        applied.add(key);
        const context = { tx, seq, types, now, epoch, user, newGuid: this.newGuid };
        // Atlas leaves `propagate` off for classifications a hook sends without one.
        const hookChanges = changes.map((c) =>
          c.kind === "createOrUpdate"
            ? {
                kind: c.kind,
                entities: c.entities,
                options: Object.assign({ propagateByDefault: false }, c.options),
              }
            : c,
        );
        const mutation = await this.#applyChanges(context, hookChanges);
        let changed: number;
        if (respond) {
          const flushed = await mutation.flush();
          changed = flushed.changed;
          results[index] = { applied: true, mutations: flushed.response };
        } else {
          changed = await mutation.flushChanges();
          results[index] = { applied: true };
        }
        await tx.insertHookOffset(position, epoch, seq, now);
        return changed;
      },
      lookups: (types: TypeRegistry) => uniqueLookups(changes, types),
    }));
    await this.writeSteps(epoch, { durable: options.durable !== false }, steps);
    return results;
  }

  async isHookApplied(position: HookPosition): Promise<boolean> {
    checkPosition(position);
    return this.b.read(async (db) => this.tx(db).isHookApplied(position));
  }

  async #mutate(
    epoch: number,
    user: string,
    operation: string,
    changes: StoreChange[],
  ): Promise<EntityMutationResponse> {
    let response: EntityMutationResponse | undefined;
    // Concurrent entity writes share a transaction and its commit (core.ts writeGrouped).
    await this.writeGrouped(
      epoch,
      user,
      operation,
      async (tx, seq, types, now) => {
        const context = { tx, seq, types, now, epoch, user, newGuid: this.newGuid };
        const result = await (await this.#applyChanges(context, changes)).flush();
        response = result.response;
        return result.changed;
      },
      (types) => uniqueLookups(changes, types),
    );
    return response!;
  }

  /** The changes applied in memory; the caller writes them (Mutation.flush or flushChanges). */
  async #applyChanges(context: MutationContext, changes: StoreChange[]): Promise<Mutation> {
    const mutation = new Mutation(context);
    for (const change of changes) {
      switch (change.kind) {
        case "createOrUpdate":
          await mutation.createOrUpdate(change.entities, change.options);
          break;
        case "partialUpdate":
          await mutation.partialUpdate(change.objectId, change.entity);
          break;
        case "edit":
          for (const objectId of change.objectIds) await mutation.edit(objectId, change.edit);
          break;
        case "delete":
          for (const objectId of change.objectIds)
            await mutation.delete(objectId, change.ifMissing);
          break;
      }
    }
    return mutation;
  }
}
