/**
 * Users' saved searches (Atlas's AtlasUserSavedSearch, kept by its UserProfileService): one
 * row each, a name unique per owner. Reads run on any instance; add, update and delete are
 * fenced writes (admin-store.ts) and appear in the write log.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { SqlRunner, SqlRow } from "./sql.js";

export const SAVED_SEARCH_TYPES = ["BASIC", "ADVANCED", "BASIC_RELATIONSHIP"] as const;
export type SavedSearchType = (typeof SAVED_SEARCH_TYPES)[number];

/** Atlas `AtlasUserSavedSearch`. */
export interface AtlasUserSavedSearch {
  guid: string;
  ownerName: string;
  name: string;
  searchType: SavedSearchType;
  /** Atlas's SearchParameters, as given. */
  searchParameters: Record<string, unknown> | null;
  uiParameters: string | null;
}

/** A saved search as a request gives it (owner already resolved to the login). */
export interface SavedSearchInput {
  guid?: string;
  ownerName: string;
  name: string;
  searchType: SavedSearchType;
  searchParameters: Record<string, unknown> | null;
  uiParameters: string | null;
}

export class StoreSavedSearchExistsError extends Error {
  override readonly name = "StoreSavedSearchExistsError" as const;
  readonly code = "STORE_SAVED_SEARCH_EXISTS" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode = ATLAS_ERRORS.SAVED_SEARCH_EXISTS.code;
  readonly permanent = true;
  constructor(name: string, owner: string) {
    super(`search named ${name} already exists for user ${owner}`);
  }
}

export class StoreSavedSearchNotFoundError extends Error {
  override readonly name = "StoreSavedSearchNotFoundError" as const;
  readonly code = "STORE_SAVED_SEARCH_NOT_FOUND" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode: string;
  readonly permanent = true;
  constructor(what: { guid: string } | { owner: string; name: string }) {
    super(
      "guid" in what
        ? `Given instance guid ${what.guid} is invalid/not found`
        : `Instance __AtlasUserSavedSearch with unique attribute {ownerName=${what.owner}, name=${what.name}} does not exist`,
    );
    this.atlasErrorCode =
      "guid" in what
        ? ATLAS_ERRORS.GUID_NOT_FOUND.code
        : ATLAS_ERRORS.UNIQUE_ATTRIBUTE_NOT_FOUND.code;
  }
}

/** A saved search Atlas refuses: `atlasErrorCode` says which case (021, 056, 029). */
export class StoreSavedSearchInvalidError extends Error {
  override readonly name = "StoreSavedSearchInvalidError" as const;
  readonly code = "STORE_SAVED_SEARCH_INVALID" as const;
  readonly httpStatus = 400;
  readonly atlasErrorCode: string;
  readonly permanent = true;
  constructor(message: string, atlasErrorCode: string) {
    super(message);
    this.atlasErrorCode = atlasErrorCode;
  }
}

const COLUMNS = `guid, owner_name, name, search_type, search_parameters, ui_parameters`;

/** Both columns are TEXT on both backends: a string or null. */
const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

function toSavedSearch(row: SqlRow): AtlasUserSavedSearch {
  const params = textOrNull(row.search_parameters);
  return {
    guid: String(row.guid),
    ownerName: String(row.owner_name),
    name: String(row.name),
    searchType: String(row.search_type) as SavedSearchType,
    searchParameters: params === null ? null : (JSON.parse(params) as Record<string, unknown>),
    uiParameters: textOrNull(row.ui_parameters),
  };
}

/** The owner's saved searches, in the order they were saved. */
export async function listSavedSearches(
  db: SqlRunner,
  owner: string,
): Promise<AtlasUserSavedSearch[]> {
  const rows = await db.all(
    `SELECT ${COLUMNS} FROM atlas_saved_searches WHERE owner_name = @owner ORDER BY write_seq, guid`,
    { owner },
  );
  return rows.map(toSavedSearch);
}

export async function savedSearchByName(
  db: SqlRunner,
  owner: string,
  name: string,
): Promise<AtlasUserSavedSearch> {
  const [row] = await db.all(
    `SELECT ${COLUMNS} FROM atlas_saved_searches WHERE owner_name = @owner AND name = @name`,
    { owner, name },
  );
  if (!row) throw new StoreSavedSearchNotFoundError({ owner, name });
  return toSavedSearch(row);
}

export async function savedSearchByGuid(
  db: SqlRunner,
  guid: string,
): Promise<AtlasUserSavedSearch> {
  const [row] = await db.all(`SELECT ${COLUMNS} FROM atlas_saved_searches WHERE guid = @guid`, {
    guid,
  });
  if (!row) throw new StoreSavedSearchNotFoundError({ guid });
  return toSavedSearch(row);
}

interface Marks {
  db: SqlRunner;
  epoch: number;
  seq: number;
  now: number;
  newGuid: () => string;
}

/** Atlas's addSavedSearch: a new guid; the owner's names are unique (409 ATLAS-409-00-006). */
export async function addSavedSearch(
  m: Marks,
  input: SavedSearchInput,
): Promise<AtlasUserSavedSearch> {
  const taken = await m.db.all(
    `SELECT 1 AS hit FROM atlas_saved_searches WHERE owner_name = @owner AND name = @name`,
    { owner: input.ownerName, name: input.name },
  );
  if (taken.length > 0) throw new StoreSavedSearchExistsError(input.name, input.ownerName);
  const guid = m.newGuid();
  await m.db.run(
    `INSERT INTO atlas_saved_searches (${COLUMNS}, create_time, update_time, write_epoch, write_seq)
      VALUES (@guid, @owner, @name, @type, @params, @ui, @now, @now, @epoch, @seq)`,
    { guid, ...rowParams(input), now: m.now, epoch: m.epoch, seq: m.seq },
  );
  return { ...output(input), guid };
}

/** Atlas's updateSavedSearch: by guid; the owner cannot change; a rename must not take a name the owner uses. */
export async function updateSavedSearch(
  m: Marks,
  input: SavedSearchInput,
): Promise<AtlasUserSavedSearch> {
  if (input.guid === undefined || input.guid.trim() === "")
    throw new StoreSavedSearchInvalidError(
      `ObjectId is not valid ${String(input.guid ?? null)}`,
      ATLAS_ERRORS.INVALID_OBJECT_ID.code,
    );
  const existing = await savedSearchByGuid(m.db, input.guid);
  if (existing.ownerName !== input.ownerName)
    throw new StoreSavedSearchInvalidError(
      `saved-search ${existing.name} can not be moved from user ${existing.ownerName} to ${input.ownerName}`,
      ATLAS_ERRORS.SAVED_SEARCH_CHANGE_USER.code,
    );
  if (existing.name !== input.name) {
    const [holder] = await m.db.all(
      `SELECT guid FROM atlas_saved_searches WHERE owner_name = @owner AND name = @name`,
      { owner: input.ownerName, name: input.name },
    );
    if (holder) throw new StoreSavedSearchExistsError(input.name, input.ownerName);
  }
  await m.db.run(
    `UPDATE atlas_saved_searches SET name = @name, search_type = @type, search_parameters = @params,
      ui_parameters = @ui, update_time = @now, write_epoch = @epoch, write_seq = @seq WHERE guid = @guid`,
    { guid: input.guid, ...rowParams(input), now: m.now, epoch: m.epoch, seq: m.seq },
  );
  return { ...output(input), guid: input.guid };
}

/** Deletes the owner's saved search; another user's is Atlas's 400 "invalid data". */
export async function deleteSavedSearch(m: Marks, owner: string, guid: string): Promise<void> {
  const existing = await savedSearchByGuid(m.db, guid);
  checkOwner(existing, owner);
  await m.db.run(`DELETE FROM atlas_saved_searches WHERE guid = @guid`, { guid });
}

/** Atlas's checkSavedSearchOwnership: a saved search of another user is "invalid data" (400 ATLAS-400-00-029). */
export function checkOwner(search: AtlasUserSavedSearch, user: string): void {
  if (search.ownerName !== user)
    throw new StoreSavedSearchInvalidError("invalid data", ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code);
}

function rowParams(input: SavedSearchInput) {
  return {
    owner: input.ownerName,
    name: input.name,
    type: input.searchType,
    params: input.searchParameters === null ? null : JSON.stringify(input.searchParameters),
    ui: input.uiParameters,
  };
}

function output(input: SavedSearchInput): Omit<AtlasUserSavedSearch, "guid"> {
  return {
    ownerName: input.ownerName,
    name: input.name,
    searchType: input.searchType,
    searchParameters: input.searchParameters,
    uiParameters: input.uiParameters,
  };
}
