/** The metadata store: `createStore(config, deps)` and what callers need to use it. */
import { silentLogger } from "@atlas-ha/shared";
import { StoreConfigError } from "./errors.js";
import { PostgresBackend } from "./postgres.js";
import { SqliteBackend } from "./sqlite.js";
import { SqlMetadataStore } from "./store.js";
import type { MetadataStore, StoreConfig, StoreDeps } from "./types.js";

/**
 * A store on SQLite (one host; several processes may share the file) or PostgreSQL (shared
 * across hosts). Call `migrate()` before anything else.
 */
export function createStore(config: StoreConfig, deps: StoreDeps = {}): MetadataStore {
  switch (config?.backend) {
    case "sqlite":
      if (typeof config.path !== "string" || config.path === "") {
        throw new StoreConfigError("the sqlite store needs a path (atlas.store.sqlite.path)");
      }
      return new SqlMetadataStore(
        new SqliteBackend({
          path: config.path,
          busyTimeoutMs: config.busyTimeoutMs,
          logger: deps.logger ?? silentLogger,
        }),
        deps,
      );
    case "postgres":
      if (typeof config.url !== "string" || !/^postgres(ql)?:\/\//.test(config.url)) {
        throw new StoreConfigError(
          "the postgres store needs a URL postgres://user:pass@host:port/db (atlas.store.postgres.url)",
        );
      }
      return new SqlMetadataStore(
        new PostgresBackend({
          url: config.url,
          poolSize: config.poolSize,
          queryTimeoutMs: config.queryTimeoutMs,
          idleTransactionTimeoutMs: config.idleTransactionTimeoutMs,
          logger: deps.logger ?? silentLogger,
        }),
        deps,
      );
    default:
      throw new StoreConfigError(
        `unknown store backend ${JSON.stringify((config as { backend?: unknown })?.backend)}; use "sqlite" or "postgres" (atlas.store.backend)`,
      );
  }
}

export {
  asStoreError,
  StoreConfigError,
  StoreConflictError,
  StoreFencedError,
  StoreInvalidEntityError,
  StoreInvalidAttributesError,
  StoreInvalidTypedefError,
  StoreNotFoundError,
  StoreReferenceError,
  StoreSchemaError,
  StoreTypedefNotFoundError,
  StoreTypeExistsError,
  StoreTypeInUseError,
  StoreUnknownTypeError,
  type StoreErrorCode,
} from "./errors.js";
export type * from "./types.js";
export type { AdminStore } from "./admin-store.js";
export type { AtlasAuditEntry } from "./admin-audits.js";
export {
  AUDIT_ACTIONS,
  AUDIT_SORT_COLUMNS,
  auditAction,
  isEventKey,
  type AuditAction,
  type AuditListOptions,
  type EntityAuditEvent,
} from "./audit.js";
export type { StoreMetrics } from "./metrics.js";
export type { PurgeResponse } from "./purge.js";
export {
  SAVED_SEARCH_TYPES,
  type AtlasUserSavedSearch,
  type SavedSearchInput,
  type SavedSearchType,
} from "./saved-searches.js";
