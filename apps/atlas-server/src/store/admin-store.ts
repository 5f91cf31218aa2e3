/**
 * The store's admin-side operations on the core (core.ts): entity audit events, purge,
 * the counts of admin/metrics, and saved searches. Writes run in the one fenced transaction
 * and appear in the write log (ENTITY_PURGE, SAVED_SEARCH_*); reads run on any instance.
 */
import { adminAuditDetails, listAdminAudits, type AtlasAuditEntry } from "./admin-audits.js";
import { ageoutAudits, type AgeoutOutcome, type AuditAgeoutCriteria } from "./audit-ageout.js";
import {
  entitiesWithClassificationChanges,
  hasAuditEvents,
  listEntityAudits,
  type AuditListOptions,
} from "./audit.js";
import type { EntityAuditEvent } from "./audit.js";
import type { AtlasEntityHeader } from "./types.js";
import { SqlStoreCore } from "./core.js";
import { storeMetrics, type StoreMetrics } from "./metrics.js";
import { purgeEntities, type PurgeResponse } from "./purge.js";
import {
  addSavedSearch,
  checkOwner,
  deleteSavedSearch,
  listSavedSearches,
  savedSearchByGuid,
  savedSearchByName,
  updateSavedSearch,
  type AtlasUserSavedSearch,
  type SavedSearchInput,
} from "./saved-searches.js";

/** What MetadataStore adds for the admin endpoints, audit events and saved searches. */
export interface AdminStore {
  /**
   * The audit events of an entity (Atlas's EntityAuditEventV2), newest first unless paged
   * (see AuditListOptions); null when the guid names no entity, stored or purged.
   */
  entityAuditEvents(guid: string, options?: AuditListOptions): Promise<EntityAuditEvent[] | null>;
  /**
   * The guids of the entities whose classifications changed between `from` and `to` (epoch
   * ms, both included; audit events), oldest change first, at most `limit`.
   */
  classificationChanges(from: number, to: number, limit: number): Promise<string[]>;
  /** Audit aging: removes entity audit events by each criteria in turn (audit-ageout.ts). */
  ageoutAudits(
    epoch: number,
    criteria: readonly AuditAgeoutCriteria[],
    user: string,
  ): Promise<AgeoutOutcome[]>;
  /** Removes DELETED entities among `guids` and their relationships; others are skipped. */
  purgeByGuids(epoch: number, guids: readonly string[], user: string): Promise<PurgeResponse>;
  /** The entity and classification counts of admin/metrics. */
  metrics(): Promise<StoreMetrics>;
  /** Atlas's audit of admin operations (purge, typedef changes, activations), oldest first. */
  adminAudits(): Promise<AtlasAuditEntry[]>;
  /** The entities an audited purge removed; [] for other operations; null when none of that guid. */
  adminAuditDetails(
    guid: string,
    limit: number,
    offset: number,
  ): Promise<AtlasEntityHeader[] | null>;
  savedSearches(owner: string): Promise<AtlasUserSavedSearch[]>;
  /** STORE_SAVED_SEARCH_NOT_FOUND when the owner has none of that name. */
  savedSearchByName(owner: string, name: string): Promise<AtlasUserSavedSearch>;
  /** STORE_SAVED_SEARCH_NOT_FOUND when none; STORE_SAVED_SEARCH_INVALID when `owner` does not own it. */
  savedSearchByGuid(owner: string, guid: string): Promise<AtlasUserSavedSearch>;
  addSavedSearch(epoch: number, input: SavedSearchInput): Promise<AtlasUserSavedSearch>;
  updateSavedSearch(epoch: number, input: SavedSearchInput): Promise<AtlasUserSavedSearch>;
  deleteSavedSearch(epoch: number, owner: string, guid: string): Promise<void>;
}

export abstract class SqlStoreAdmin extends SqlStoreCore implements AdminStore {
  classificationChanges(from: number, to: number, limit: number): Promise<string[]> {
    return this.b.read((db) => entitiesWithClassificationChanges(db, from, to, limit));
  }

  async entityAuditEvents(
    guid: string,
    options: AuditListOptions = {},
  ): Promise<EntityAuditEvent[] | null> {
    return this.b.read(async (db) => {
      const known = (await this.tx(db).entity(guid)) ?? (await hasAuditEvents(db, guid));
      return known ? listEntityAudits(db, guid, options) : null;
    });
  }

  async purgeByGuids(
    epoch: number,
    guids: readonly string[],
    user: string,
  ): Promise<PurgeResponse> {
    let response: PurgeResponse | undefined;
    await this.write(epoch, user, "ENTITY_PURGE", {}, async (tx, seq, types, now) => {
      const result = await purgeEntities({ tx, types, epoch, seq, user, now }, guids);
      response = result.response;
      return result.purged.length;
    });
    return response!;
  }

  async ageoutAudits(
    epoch: number,
    criteria: readonly AuditAgeoutCriteria[],
    user: string,
  ): Promise<AgeoutOutcome[]> {
    let outcomes: AgeoutOutcome[] = [];
    await this.write(epoch, user, "AUDIT_AGEOUT", {}, async (tx, _seq, types, now) => {
      outcomes = await ageoutAudits(tx.runner, types, criteria, now);
      return outcomes.reduce((sum, o) => sum + o.removed, 0);
    });
    return outcomes;
  }

  async metrics(): Promise<StoreMetrics> {
    return this.b.read(async (db) =>
      storeMetrics(db, this.backend, await this.registry(this.tx(db))),
    );
  }

  adminAudits(): Promise<AtlasAuditEntry[]> {
    return this.b.read((db) => listAdminAudits(db));
  }

  adminAuditDetails(
    guid: string,
    limit: number,
    offset: number,
  ): Promise<AtlasEntityHeader[] | null> {
    return this.b.read((db) => adminAuditDetails(db, guid, limit, offset));
  }

  savedSearches(owner: string): Promise<AtlasUserSavedSearch[]> {
    return this.b.read((db) => listSavedSearches(db, owner));
  }

  savedSearchByName(owner: string, name: string): Promise<AtlasUserSavedSearch> {
    return this.b.read((db) => savedSearchByName(db, owner, name));
  }

  async savedSearchByGuid(owner: string, guid: string): Promise<AtlasUserSavedSearch> {
    const search = await this.b.read((db) => savedSearchByGuid(db, guid));
    checkOwner(search, owner);
    return search;
  }

  async addSavedSearch(epoch: number, input: SavedSearchInput): Promise<AtlasUserSavedSearch> {
    let out: AtlasUserSavedSearch | undefined;
    await this.write(
      epoch,
      input.ownerName,
      "SAVED_SEARCH_CREATE",
      {},
      async (tx, seq, _t, now) => {
        out = await addSavedSearch(
          { db: tx.runner, epoch, seq, now, newGuid: this.newGuid },
          input,
        );
        return 1;
      },
    );
    return out!;
  }

  async updateSavedSearch(epoch: number, input: SavedSearchInput): Promise<AtlasUserSavedSearch> {
    let out: AtlasUserSavedSearch | undefined;
    await this.write(
      epoch,
      input.ownerName,
      "SAVED_SEARCH_UPDATE",
      {},
      async (tx, seq, _t, now) => {
        out = await updateSavedSearch(
          { db: tx.runner, epoch, seq, now, newGuid: this.newGuid },
          input,
        );
        return 1;
      },
    );
    return out!;
  }

  async deleteSavedSearch(epoch: number, owner: string, guid: string): Promise<void> {
    await this.write(epoch, owner, "SAVED_SEARCH_DELETE", {}, async (tx, seq, _t, now) => {
      await deleteSavedSearch(
        { db: tx.runner, epoch, seq, now, newGuid: this.newGuid },
        owner,
        guid,
      );
      return 1;
    });
  }
}
