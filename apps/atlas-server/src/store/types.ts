/**
 * The metadata store the server composes: one interface, two backends (SQLite, PostgreSQL).
 * Shapes follow Atlas's v2 REST model so the API can return them as they are (docs/contracts/http.md).
 */
import type { AdminStore } from "./admin-store.js";
import type {
  AtlasClassification,
  AtlasEntitiesWithExtInfo,
  AtlasEntityWithExtInfo,
  AtlasObjectId,
  JsonValue,
} from "@atlas-ha/atlas-model";
import type { Logger } from "@atlas-ha/shared";
import type { AnyTypeDef, AtlasTypesDef } from "../models/typedefs.js";
import type { AtlasLineageInfo, LineageOptions } from "./lineage.js";
import type { EntityEdit } from "./extras.js";
import type { DslSearchParams, DslSearchResult } from "./dsl/run.js";
import type { GlossaryStore } from "./glossary-store.js";
import type { CreateOrUpdateOptions } from "./mutation.js";
import type { FullTextResult, QuickSearchResult, SuggestionsResult } from "./search-more.js";
import type { RelationshipWithExtInfo } from "./relationship-store.js";
import type { RetrieveOptions } from "./retrieve.js";
import type { TypedefFilter } from "./typedefs.js";

export type { TypedefFilter, TypedefHeader } from "./typedefs.js";

export type EntityStatus = "ACTIVE" | "DELETED";

/** An entity as stored and returned (Atlas `AtlasEntity`). */
export interface StoredEntity {
  typeName: string;
  guid: string;
  status: EntityStatus;
  /** 0 on create, +1 on every write that changes the entity. */
  version: number;
  /** True for a shell: created from a reference, only its unique attributes are known. */
  isIncomplete: boolean;
  createdBy: string;
  updatedBy: string;
  /** Epoch ms. */
  createTime: number;
  updateTime: number;
  /** As given; references are object ids `{guid, typeName, uniqueAttributes}`. */
  attributes: Record<string, JsonValue>;
  relationshipAttributes: Record<string, JsonValue>;
  classifications: AtlasClassification[];
  labels?: string[];
  customAttributes?: Record<string, string>;
  businessAttributes?: Record<string, Record<string, JsonValue>>;
}

/** Atlas `AtlasEntityWithExtInfo`: the entity and the entities its attributes refer to. */
export interface EntityWithReferred {
  entity: StoredEntity;
  referredEntities: Record<string, StoredEntity>;
}

/** Atlas `AtlasEntityHeader`. */
export interface AtlasEntityHeader {
  typeName: string;
  guid: string;
  status: EntityStatus;
  displayText: string;
  /** The unique attributes, plus `name`, `owner`, `description` when the entity has them. */
  attributes: Record<string, JsonValue>;
  classificationNames: string[];
  isIncomplete: boolean;
}

export type EntityOperation = "CREATE" | "UPDATE" | "PARTIAL_UPDATE" | "DELETE";

/**
 * Atlas `EntityMutationResponse`. Like Atlas, an operation with no entity is left out of
 * `mutatedEntities` (a write that changed nothing answers `mutatedEntities: {}`);
 * `guidAssignments` is always present, `{}` when no placeholder was resolved.
 */
export interface EntityMutationResponse {
  mutatedEntities: Partial<Record<EntityOperation, AtlasEntityHeader[]>>;
  guidAssignments: Record<string, string>;
}

/**
 * Atlas's `SearchParameters.FilterCriteria` as a client sends it: a group (`condition` AND/OR
 * over `criterion`) or one test (`attributeName` `operator` `attributeValue`). Operators are
 * Atlas's symbols and aliases (`=`, `eq`, `startsWith`, `STARTS_WITH`, …).
 */
export interface FilterCriteria {
  condition?: string | null;
  criterion?: (FilterCriteria | null)[] | null;
  attributeName?: string | null;
  operator?: string | null;
  attributeValue?: string | number | boolean | null;
}

/** Atlas's basic search (`SearchParameters`; store/search.ts). Absent or null: the default. */
export interface SearchBasicParams {
  /** A glossary term's qualifiedName (`term@glossary`): only entities it is assigned to. */
  termName?: string | null;
  /** Entity type(s), comma-separated; subtypes too unless `includeSubTypes` is false. `_ALL_ENTITY_TYPES` or absent: any. */
  typeName?: string | null;
  /** Case-insensitive match on `name` or `qualifiedName`: a substring, or a pattern with `*`. */
  query?: string | null;
  /** Classification(s), comma-separated: names, `*` patterns, `_CLASSIFIED`, `_NOT_CLASSIFIED`, `_ALL_CLASSIFICATION_TYPES`. */
  classification?: string | null;
  entityFilters?: FilterCriteria | null;
  tagFilters?: FilterCriteria | null;
  /** Attributes to add to each header. */
  attributes?: string[] | null;
  /** With `attributes`: the headers carry only those. */
  excludeHeaderAttributes?: boolean | null;
  /** An attribute of the type, or a system attribute (`__timestamp`, …). Default: creation order. */
  sortBy?: string | null;
  sortOrder?: "ASCENDING" | "DESCENDING" | null;
  /** 1–10 000; anything else is the default 100 (Atlas's QueryParams). */
  limit?: number | null;
  offset?: number | null;
  /** Default false, as in Atlas. */
  excludeDeletedEntities?: boolean | null;
  /** Default true. */
  includeSubTypes?: boolean | null;
  /** Default true. */
  includeSubClassifications?: boolean | null;
  /** Headers carry `classifications` (with their attributes) beside `classificationNames`. */
  includeClassificationAttributes?: boolean | null;
}

/** The header of a search result: Atlas's `AtlasEntityHeader` with what search adds. */
export interface SearchEntityHeader extends AtlasEntityHeader {
  labels: string[];
  meaningNames: string[];
  meanings: JsonValue[];
  classifications?: AtlasClassification[];
}

export interface SearchBasicResult {
  queryType: "BASIC";
  /** The request as the store ran it (defaults filled in). */
  searchParameters: Record<string, JsonValue>;
  /** Always present (`[]` when nothing matched). Creation order unless sorted. */
  entities: SearchEntityHeader[];
  /** Exact count of matches, whatever the page. */
  approximateCount: number;
}

export interface RelatedEntitiesRequest {
  guid: string;
  /** A relationship attribute of the entity's type, or a relationship type's name. */
  relation: string;
  getApproximateCount: boolean;
  disableDefaultSorting: boolean;
  /** attributes, sortBy, sortOrder, excludeDeletedEntities, includeClassificationAttributes, limit, offset. */
  params: SearchBasicParams;
}

/** Where a hook message came from: applying it records this, so a redelivery is skipped. */
export interface HookPosition {
  topic: string;
  partition: number;
  /** Kafka offset (a decimal int64, as kafkajs gives it). */
  offset: string;
}

/**
 * A store change, as a hook message decodes to (hooks/apply.ts maps each notification type to
 * one of these). `ifMissing` says whether deleting what is not there is a no-op (hooks) or a
 * StoreNotFoundError (REST).
 */
export type StoreChange =
  | { kind: "createOrUpdate"; entities: AtlasEntitiesWithExtInfo; options?: CreateOrUpdateOptions }
  | { kind: "partialUpdate"; objectId: AtlasObjectId; entity: AtlasEntityWithExtInfo }
  | { kind: "delete"; objectIds: AtlasObjectId[]; ifMissing: "ignore" | "error" }
  | { kind: "edit"; objectIds: AtlasObjectId[]; edit: EntityEdit };

/** One message of `applyHooks`: where it came from, its changes, the user it names. */
export interface HookBatchItem {
  position: HookPosition;
  changes: StoreChange[];
  user: string;
}

export type HookApplyResult =
  | { applied: true; mutations: EntityMutationResponse }
  /** The position was applied before (a redelivery): nothing changed. */
  | { applied: false };

/** A message of `applyHooks` with `mutations: false`: applied now, or skipped as applied before. */
export interface HookApplied {
  applied: boolean;
}

/** `applyHooks`'s options: `durable` as `applyHook`; `mutations: false` builds no response. */
export interface ApplyHooksOptions {
  durable?: boolean;
  mutations?: boolean;
}

/** One row of the write log: every fenced write, in the order the store serialized them. */
export interface WriteRecord {
  /** Strictly increasing in commit order (writes are serialized by the fence row). */
  seq: number;
  epoch: number;
  operation: string;
  user: string;
  /** Epoch ms. */
  at: number;
  /** Entities created, updated or deleted (0 for FENCE and no-op writes). */
  changed: number;
}

/**
 * What the server needs from a store. Every write takes the writer's epoch (the leader epoch
 * of docs/contracts/election.md) and is refused with StoreFencedError when a higher epoch was seen; the check is
 * in the write's own transaction, so a paused former active cannot slip a write in after the
 * new active fenced.
 */
export interface MetadataStore extends AdminStore {
  readonly backend: "sqlite" | "postgres";
  /** Atlas's glossary: glossaries, terms, categories and term assignments (glossary-store.ts). */
  readonly glossary: GlossaryStore;

  /**
   * Creates or upgrades the schema and seeds the built-in types that are missing. Idempotent,
   * and safe when several instances run it at once on the same database.
   */
  migrate(): Promise<void>;
  /** True when the database answers (readiness). Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  /**
   * Records `epoch` as the highest seen (the new active calls it on activation); an equal
   * epoch is accepted (the same leader after a reconnect). A lower one: StoreFencedError.
   */
  fence(epoch: number, options?: FenceOptions): Promise<void>;
  highestEpoch(): Promise<number>;
  /**
   * The operator's way out after the ZooKeeper ensemble was replaced (its zxids, and so its
   * epochs, start low again): the highest epoch goes back to 0 if it is still `expected`, and
   * the write log records an EPOCH_REBASE at epoch 0 — the one place where the log's epochs
   * go down. Null (nothing changed) when the highest epoch is no longer `expected`.
   */
  rebaseEpoch(expected: number, user: string): Promise<{ seq: number } | null>;

  /**
   * Upsert by type + qualifiedName, placeholders resolved (POST /v2/entity[/bulk]). A reference
   * by unique attributes to a missing entity creates a shell, or with `createShells: false`
   * (REST, as Atlas) fails with STORE_REFERENCE_NOT_FOUND.
   */
  createOrUpdate(
    epoch: number,
    entities: AtlasEntitiesWithExtInfo,
    user: string,
    options?: CreateOrUpdateOptions,
  ): Promise<EntityMutationResponse>;
  /** Changes only the attributes given; a new qualifiedName among them renames the entity. */
  partialUpdateByUniqueAttribute(
    epoch: number,
    objectId: AtlasObjectId,
    entity: AtlasEntityWithExtInfo,
    user: string,
  ): Promise<EntityMutationResponse>;
  /**
   * Classifications, labels or business attributes of ACTIVE entities, one edit for each
   * (the entity REST calls; docs/contracts/model.md); all or nothing.
   */
  editEntities(
    epoch: number,
    objectIds: AtlasObjectId[],
    edit: EntityEdit,
    user: string,
  ): Promise<EntityMutationResponse>;
  /** Soft deletes in one write; unknown guids are skipped, as Atlas does ("already gone"). */
  deleteByGuids(epoch: number, guids: string[], user: string): Promise<EntityMutationResponse>;
  /** Soft delete; an unknown guid or a deleted entity is a no-op (empty response), as in Atlas. */
  deleteByGuid(epoch: number, guid: string, user: string): Promise<EntityMutationResponse>;
  deleteByUniqueAttribute(
    epoch: number,
    objectId: AtlasObjectId,
    user: string,
  ): Promise<EntityMutationResponse>;

  /**
   * The entity with both ends of its relationships and, in `referredEntities`, what it owns
   * (docs/contracts/model.md); `minExtInfo`: those minimal; `ignoreRelationships`: neither.
   */
  getByGuid(guid: string, options?: RetrieveOptions): Promise<EntityWithReferred | null>;
  /** The ACTIVE entity of the type (or a subtype) with that qualifiedName; a deleted one is not found. */
  getByUniqueAttribute(
    typeName: string,
    qualifiedName: string,
    options?: RetrieveOptions,
  ): Promise<EntityWithReferred | null>;
  /** Atlas's AtlasRelationship (with its ends' headers on `extendedInfo`); null when unknown. */
  getRelationship(
    guid: string,
    options?: { extendedInfo?: boolean },
  ): Promise<RelationshipWithExtInfo | null>;
  /** A relationship between two ACTIVE entities; one of that type between them exists: 409. */
  createRelationship(
    epoch: number,
    relationship: Record<string, unknown>,
    user: string,
  ): Promise<RelationshipWithExtInfo>;
  /** Its attributes (type and ends cannot change). */
  updateRelationship(
    epoch: number,
    relationship: Record<string, unknown>,
    user: string,
  ): Promise<RelationshipWithExtInfo>;
  /** Soft delete; unknown: ATLAS-404-00-00C, deleted already: ATLAS-404-00-00F. */
  deleteRelationship(epoch: number, guid: string, user: string): Promise<void>;
  /**
   * Removes the classification `name` that entity `guid` receives from `sourceGuid` by
   * propagation — allowed only once the source entity is deleted, as Atlas
   * (propagation-relationship.ts `removeReceived`).
   */
  removePropagatedClassification(
    epoch: number,
    guid: string,
    name: string,
    sourceGuid: string,
    user: string,
  ): Promise<void>;
  /** Atlas's lineage of a DataSet or Process; null when the entity does not exist. */
  lineage(
    at: string | { typeName: string; qualifiedName: string },
    options: LineageOptions,
  ): Promise<AtlasLineageInfo | null>;
  searchBasic(params: SearchBasicParams): Promise<SearchBasicResult>;
  /** Atlas's DSL (store/dsl/): a query outside what it runs is a 400 ATLAS-400-00-059. */
  searchDsl(params: DslSearchParams): Promise<DslSearchResult>;
  /** Atlas's quick search: basic search's page and facet counts (type, state, owner). */
  quickSearch(params: SearchBasicParams): Promise<QuickSearchResult>;
  /** Full text over name and qualifiedName, plain text only (store/search-more.ts). */
  fullTextSearch(params: {
    query: string;
    excludeDeletedEntities: boolean;
    limit?: number | null;
    offset?: number | null;
  }): Promise<FullTextResult>;
  /** name / qualifiedName values by prefix. */
  suggestions(prefixString: string | null, fieldName: string | null): Promise<SuggestionsResult>;
  /** The entities related to an entity through a relationship attribute; unknown guid: StoreNotFoundError. */
  relatedEntities(request: RelatedEntitiesRequest): Promise<SearchBasicResult>;

  /** Every typedef, or those that match Atlas's SearchFilter (GET /types/typedefs?type=…). */
  getTypedefs(filter?: TypedefFilter): Promise<AtlasTypesDef>;
  getTypedef(name: string): Promise<AnyTypeDef | null>;
  getTypedefByGuid(guid: string): Promise<AnyTypeDef | null>;
  /** Creates every def or none; an existing name is a StoreTypeExistsError. Returns what was created. */
  createTypedefs(epoch: number, defs: Partial<AtlasTypesDef>, user: string): Promise<AtlasTypesDef>;
  /**
   * Updates every def or none, under Atlas's update rules (store/typedefs.ts `prepareUpdate`):
   * StoreTypedefNotFoundError, StoreInvalidTypedefError. Returns the defs as now stored.
   */
  updateTypedefs(epoch: number, defs: Partial<AtlasTypesDef>, user: string): Promise<AtlasTypesDef>;
  /**
   * Deletes every def named (by guid or name) or none: StoreTypedefNotFoundError, or
   * StoreTypeInUseError while instances or other types use one. A business metadata def with
   * a non-indexable attribute needs `force` (Atlas's `?force=true`).
   */
  deleteTypedefs(
    epoch: number,
    defs: Partial<AtlasTypesDef>,
    user: string,
    options?: { force?: boolean },
  ): Promise<void>;

  /**
   * Applies a hook message in ONE transaction: fence check, skip when `position` was applied
   * before, the changes, and the position recorded — so a redelivered message changes nothing.
   */
  applyHook(
    epoch: number,
    position: HookPosition,
    changes: StoreChange[],
    user: string,
    options?: { durable?: boolean },
  ): Promise<HookApplyResult>;
  /**
   * Applies several hook messages in ONE transaction (one commit, one fence check per
   * message as `applyHook`), in order: each skipped when its position was applied before,
   * its changes and its position recorded together. All or none: when one message fails
   * (or the epoch is fenced) nothing of the batch is written and the error is thrown; the
   * caller applies the messages one by one to find the failing one (docs/contracts/hooks.md).
   */
  applyHooks(
    epoch: number,
    messages: readonly HookBatchItem[],
    options?: ApplyHooksOptions & { mutations?: true },
  ): Promise<HookApplyResult[]>;
  /**
   * The same, for a caller that does not use the responses (the server's hook consumer): each
   * result says only whether the message was applied now. The responses of a batch are kept
   * until its commit; building none is ~6% less CPU per message.
   */
  applyHooks(
    epoch: number,
    messages: readonly HookBatchItem[],
    options: ApplyHooksOptions & { mutations: false },
  ): Promise<HookApplied[]>;
  isHookApplied(position: HookPosition): Promise<boolean>;
  /**
   * Makes every write committed so far durable. Hook messages applied with `durable: false`
   * (one fsync per message caps SQLite at a few thousand a second) are durable once it
   * resolves: the hook consumer calls it before committing their offsets (docs/contracts/hooks.md).
   */
  sync(): Promise<void>;

  /** The write log after `afterSeq` (for consistency checkers: epochs never decrease with seq). */
  writeLog(options?: { afterSeq?: number; limit?: number }): Promise<WriteRecord[]>;
}

/** The store logs through the project's one Logger type (pino's shape). */
export type StoreLogger = Logger;

export type StoreConfig =
  | {
      backend: "sqlite";
      /** The database file; its folder is created when missing. Several processes may share it. */
      path: string;
      /** How long a write waits for another process's write lock. Default 10 000 ms. */
      busyTimeoutMs?: number;
    }
  | {
      backend: "postgres";
      /** `postgres://user:pass@host:port/db` */
      url: string;
      /** Pool size. Default 10. */
      poolSize?: number;
      /** A query that takes longer fails (transient for hooks). Default 30 000 ms. */
      queryTimeoutMs?: number;
      /** The server ends a session of ours idle inside a transaction this long (frees its locks). Default 5000 ms. */
      idleTransactionTimeoutMs?: number;
    };

export interface FenceOptions {
  /**
   * Ends the wait for the write lock (the term ended). Without it the fence waits up to a
   * minute, then throws StoreBusyError.
   */
  signal?: AbortSignal;
}

export interface StoreDeps {
  logger?: StoreLogger;
  /** Epoch ms; tests pass a fake. */
  now?: () => number;
  /** New entity and typedef guids; tests may pass a deterministic one. */
  newGuid?: () => string;
}
