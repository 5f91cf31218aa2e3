/**
 * Every failure of the store a caller can act on, with a literal `name`, a stable `code`, the
 * HTTP status and Atlas error code the REST API answers with (docs/contracts/http.md), and — for the hook
 * path — whether retrying can help. Callers check `name`/`code`, never `instanceof`.
 */

import { ATLAS_ERRORS } from "@atlas-ha/shared";

abstract class StoreError extends Error {
  abstract readonly code: string;
  /** HTTP status for the REST API. */
  abstract readonly httpStatus: number;
  /** `errorCode` of the Atlas error body, e.g. `ATLAS-404-00-005`. */
  abstract readonly atlasErrorCode: string;
  /** True when the same input fails again however often it is retried. */
  readonly permanent: boolean = true;
}

/**
 * A write carried an epoch lower than the highest the store has seen: another instance became
 * active since. `fenced: true` and code `STORE_FENCED` are what hook-consumer reads to stop
 * consuming and leave the message uncommitted for the new active.
 */
export class StoreFencedError extends StoreError {
  override readonly name = "StoreFencedError" as const;
  readonly code = "STORE_FENCED" as const;
  readonly httpStatus = 503;
  readonly atlasErrorCode = ATLAS_ERRORS.NO_LONGER_ACTIVE.code;
  readonly fenced = true as const;
  /** Not permanent for the message: the new active must apply it. */
  override readonly permanent = false;
  readonly epoch: number;
  readonly highestEpoch: number;

  constructor(epoch: number, highestEpoch: number) {
    super(
      `write with epoch ${epoch} refused: the store has seen epoch ${highestEpoch}, so another instance ` +
        "is active; this instance must step down",
    );
    this.epoch = epoch;
    this.highestEpoch = highestEpoch;
  }
}

/**
 * The write lock could not be had in time: another writer holds it, or a transaction that a
 * dead or frozen instance left open (PostgreSQL ends those after
 * atlas.store.postgres.idle.transaction.timeout.ms). Retrying later can help.
 */
export class StoreBusyError extends StoreError {
  override readonly name = "StoreBusyError" as const;
  readonly code = "STORE_BUSY" as const;
  readonly httpStatus = 503;
  readonly atlasErrorCode = ATLAS_ERRORS.STORE_BUSY.code;
  override readonly permanent = false;
  /** Nothing is wrong with what was written: hook-consumer keeps the message and waits. */
  readonly unavailable = true as const;
  readonly waitedMs: number;

  constructor(waitedMs: number, cause?: unknown) {
    super(
      `the store's write lock was not free within ${waitedMs} ms (another writer, or a transaction left open)`,
      { cause },
    );
    this.waitedMs = waitedMs;
  }
}

/**
 * The database cannot be reached or refused the connection (it restarts, the network is cut,
 * the server ended our session). Nothing is wrong with what was written: a hook message that
 * meets this waits for the store rather than going to the failed-messages log.
 */
export class StoreUnavailableError extends StoreError {
  override readonly name = "StoreUnavailableError" as const;
  readonly code = "STORE_UNAVAILABLE" as const;
  readonly httpStatus = 503;
  readonly atlasErrorCode = ATLAS_ERRORS.STORE_UNAVAILABLE.code;
  override readonly permanent = false;
  readonly unavailable = true as const;

  constructor(detail: string, cause?: unknown) {
    super(`the database is unavailable: ${detail}`, { cause });
  }
}

/** An entity, reference or search names a type the store does not know (Atlas: 400 ATLAS-400-00-014). */
export class StoreUnknownTypeError extends StoreError {
  override readonly name = "StoreUnknownTypeError" as const;
  readonly code = "STORE_UNKNOWN_TYPE" as const;
  readonly httpStatus = 400;
  readonly atlasErrorCode = ATLAS_ERRORS.UNKNOWN_TYPE.code;
  readonly typeName: string;

  constructor(typeName: string, where?: string) {
    super(
      `unknown type ${JSON.stringify(typeName)}${where ? ` (${where})` : ""}; create it with POST /api/atlas/v2/types/typedefs first`,
    );
    this.typeName = typeName;
  }
}

/** The entity is malformed for its type: no typeName, no qualifiedName where one is required, … */
export class StoreInvalidEntityError extends StoreError {
  override readonly name = "StoreInvalidEntityError" as const;
  readonly code = "STORE_INVALID_ENTITY" as const;
  readonly httpStatus = 400;
  readonly atlasErrorCode: string;

  constructor(message: string, atlasErrorCode: string = ATLAS_ERRORS.INVALID_ENTITY.code) {
    super(message);
    this.atlasErrorCode = atlasErrorCode;
  }
}

/**
 * Entity attributes that fail their typedefs (store/validate.ts): a mandatory attribute
 * missing, a value of the wrong type, a bad enum value, a list of the wrong size. Atlas answers
 * INSTANCE_CRUD_INVALID_PARAMS — 404 ATLAS-404-00-007 — and so do we; `messages` holds every
 * problem, in Atlas's words.
 */
const MAX_LISTED_PROBLEMS = 100;

export class StoreInvalidAttributesError extends StoreError {
  override readonly name = "StoreInvalidAttributesError" as const;
  readonly code = "STORE_INVALID_ATTRIBUTES" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode = ATLAS_ERRORS.INSTANCE_CRUD_INVALID_PARAMS.code;
  readonly messages: readonly string[];

  constructor(messages: string[]) {
    // Atlas's text names only the first problem ({0} of its message format); we list them all,
    // up to a bound, so that a body of many bad values cannot make an answer many times its size.
    const shown = messages.slice(0, MAX_LISTED_PROBLEMS);
    const more = messages.length - shown.length;
    super(
      `Invalid instance creation/updation parameters passed : ${shown.join("; ")}${more > 0 ? `; … and ${more} more` : ""}`,
    );
    this.messages = shown;
  }
}

/** No entity with that guid, or no entity of that type with that unique attribute. */
export class StoreNotFoundError extends StoreError {
  override readonly name = "StoreNotFoundError" as const;
  readonly code = "STORE_ENTITY_NOT_FOUND" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode: string;

  constructor(what: { guid: string } | { typeName: string; qualifiedName: string }) {
    super(
      "guid" in what
        ? `no entity with guid ${what.guid}`
        : `no ${what.typeName} with qualifiedName ${JSON.stringify(what.qualifiedName)}`,
    );
    this.atlasErrorCode =
      "guid" in what
        ? ATLAS_ERRORS.GUID_NOT_FOUND.code
        : ATLAS_ERRORS.UNIQUE_ATTRIBUTE_NOT_FOUND.code;
  }
}

/** A reference by guid alone (no unique attributes) to an entity that is neither sent nor stored. */
export class StoreReferenceError extends StoreError {
  override readonly name = "StoreReferenceError" as const;
  readonly code = "STORE_REFERENCE_NOT_FOUND" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode = ATLAS_ERRORS.REFERENCE_NOT_FOUND.code;

  constructor(reference: string) {
    super(
      `referenced entity ${reference} is not found: send it in referredEntities, or refer to it by typeName + uniqueAttributes.qualifiedName`,
    );
  }
}

/** An entity names a classification type that does not exist (Atlas: 404 ATLAS-404-00-008). */
export class StoreUnknownClassificationError extends StoreError {
  override readonly name = "StoreUnknownClassificationError" as const;
  readonly code = "STORE_UNKNOWN_CLASSIFICATION" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode = ATLAS_ERRORS.CLASSIFICATION_NOT_FOUND.code;

  constructor(typeName: string) {
    super(`Given classification ${typeName} was invalid`);
  }
}

/** Lineage asked of an entity that is neither a DataSet nor a Process (Atlas: 404 ATLAS-404-00-011). */
export class StoreLineageTypeError extends StoreError {
  override readonly name = "StoreLineageTypeError" as const;
  readonly code = "STORE_NOT_A_LINEAGE_ENTITY" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode = ATLAS_ERRORS.NOT_A_LINEAGE_ENTITY.code;

  constructor(guid: string, typeName: string) {
    super(`Given instance guid ${guid} with type ${typeName} is not a valid lineage entity type.`);
  }
}

/** No relationship with that guid (Atlas: 404 ATLAS-404-00-00C). */
export class StoreRelationshipNotFoundError extends StoreError {
  override readonly name = "StoreRelationshipNotFoundError" as const;
  readonly code = "STORE_RELATIONSHIP_NOT_FOUND" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode: string;

  /** `alreadyDeleted`: the delete of a deleted relationship (Atlas: ATLAS-404-00-00F). */
  constructor(guid: string, alreadyDeleted = false) {
    super(
      alreadyDeleted
        ? `Attempting to delete a relationship which is already deleted : ${guid}`
        : `Given relationship guid ${guid} is invalid/not found`,
    );
    this.atlasErrorCode = alreadyDeleted
      ? ATLAS_ERRORS.RELATIONSHIP_ALREADY_DELETED.code
      : ATLAS_ERRORS.RELATIONSHIP_NOT_FOUND.code;
  }
}

/** An ACTIVE relationship of that type between those ends exists (Atlas: 409 ATLAS-409-00-004). */
export class StoreRelationshipExistsError extends StoreError {
  override readonly name = "StoreRelationshipExistsError" as const;
  readonly code = "STORE_RELATIONSHIP_EXISTS" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode = ATLAS_ERRORS.RELATIONSHIP_EXISTS.code;

  constructor(typeName: string, end1: string, end2: string) {
    super(`relationship ${typeName} already exists between entities ${end1} and ${end2}`);
  }
}

/** Another active entity of the type already holds that qualifiedName (a rename onto it). */
export class StoreConflictError extends StoreError {
  override readonly name = "StoreConflictError" as const;
  readonly code = "STORE_UNIQUE_CONFLICT" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode = ATLAS_ERRORS.UNIQUE_CONFLICT.code;

  constructor(typeName: string, qualifiedName: string) {
    super(`another ${typeName} already has qualifiedName ${JSON.stringify(qualifiedName)}`);
  }
}

/** A typedef of that name exists already (Atlas answers 409 and changes nothing). */
export class StoreTypeExistsError extends StoreError {
  override readonly name = "StoreTypeExistsError" as const;
  readonly code = "STORE_TYPE_EXISTS" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode = ATLAS_ERRORS.TYPE_EXISTS.code;
  readonly typeName: string;

  constructor(typeName: string) {
    super(`Given type ${typeName} already exists; nothing was created`);
    this.typeName = typeName;
  }
}

/**
 * A typedef is malformed (no name, an unknown supertype or end type, a supertype cycle) or an
 * update changes what Atlas does not let an update change; `atlasErrorCode` is Atlas's code
 * for the case (e.g. ATLAS-400-00-00D for a removed attribute).
 */
export class StoreInvalidTypedefError extends StoreError {
  override readonly name = "StoreInvalidTypedefError" as const;
  readonly code = "STORE_INVALID_TYPEDEF" as const;
  readonly httpStatus = 400;
  readonly atlasErrorCode: string;

  constructor(message: string, atlasErrorCode: string = ATLAS_ERRORS.INVALID_TYPEDEF.code) {
    super(message);
    this.atlasErrorCode = atlasErrorCode;
  }
}

/** No typedef of that name (ATLAS-404-00-001) or guid (ATLAS-404-00-002), as Atlas words it. */
export class StoreTypedefNotFoundError extends StoreError {
  override readonly name = "StoreTypedefNotFoundError" as const;
  readonly code = "STORE_TYPEDEF_NOT_FOUND" as const;
  readonly httpStatus = 404;
  readonly atlasErrorCode: string;

  constructor(what: { name: string } | { guid: string }) {
    super(
      "name" in what
        ? `Given typename ${what.name} was invalid`
        : `Given type guid ${what.guid} was invalid`,
    );
    this.atlasErrorCode =
      "name" in what
        ? ATLAS_ERRORS.TYPE_NAME_NOT_FOUND.code
        : ATLAS_ERRORS.TYPE_GUID_NOT_FOUND.code;
  }
}

/**
 * A typedef cannot be deleted: entities (even deleted ones), classifications or struct values of
 * the type exist, or other types refer to it (ATLAS-409-00-002, Atlas's TYPE_HAS_REFERENCES); or
 * relationshipDefs name the entity type as an end (ATLAS-409-00-005, TYPE_HAS_RELATIONSHIPS).
 */
export class StoreTypeInUseError extends StoreError {
  override readonly name = "StoreTypeInUseError" as const;
  readonly code = "STORE_TYPE_IN_USE" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode: string;
  readonly typeName: string;

  constructor(typeName: string, reason: "references" | "relationships", detail: string) {
    super(
      reason === "references"
        ? `Given type ${typeName} has references (${detail}); nothing was deleted`
        : `Given type ${typeName} has associated relationshipDefs (${detail}); nothing was deleted`,
    );
    this.typeName = typeName;
    this.atlasErrorCode =
      reason === "references"
        ? ATLAS_ERRORS.TYPE_HAS_REFERENCES.code
        : ATLAS_ERRORS.TYPE_HAS_RELATIONSHIPS.code;
  }
}

/** The database was migrated by a newer server: this one does not know its schema. */
export class StoreSchemaError extends StoreError {
  override readonly name = "StoreSchemaError" as const;
  readonly code = "STORE_SCHEMA_TOO_NEW" as const;
  readonly httpStatus = 500;
  readonly atlasErrorCode = ATLAS_ERRORS.INTERNAL.code;
}

/**
 * A search the store cannot run as asked (docs/contracts/http.md, search): an unknown type,
 * classification or attribute, an operator that does not apply to the attribute's type, a
 * value that is not of that type, a filter tree deeper or larger than the limits. Atlas's
 * error code for the case.
 */
export class StoreInvalidSearchError extends StoreError {
  override readonly name = "StoreInvalidSearchError" as const;
  readonly code = "STORE_INVALID_SEARCH" as const;
  readonly httpStatus = 400;
  readonly atlasErrorCode: string;

  constructor(message: string, atlasErrorCode: string = ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code) {
    super(message);
    this.atlasErrorCode = atlasErrorCode;
  }
}

/** Bad options to createStore (programming or configuration errors). */
export class StoreConfigError extends StoreError {
  override readonly name = "StoreConfigError" as const;
  readonly code = "STORE_CONFIG_INVALID" as const;
  readonly httpStatus = 500;
  readonly atlasErrorCode = ATLAS_ERRORS.INTERNAL.code;
}

export type StoreErrorCode =
  | StoreFencedError["code"]
  | StoreUnknownTypeError["code"]
  | StoreInvalidEntityError["code"]
  | StoreInvalidAttributesError["code"]
  | StoreNotFoundError["code"]
  | StoreReferenceError["code"]
  | StoreConflictError["code"]
  | StoreLineageTypeError["code"]
  | StoreUnknownClassificationError["code"]
  | StoreRelationshipNotFoundError["code"]
  | StoreRelationshipExistsError["code"]
  | StoreTypeExistsError["code"]
  | StoreInvalidTypedefError["code"]
  | StoreTypedefNotFoundError["code"]
  | StoreTypeInUseError["code"]
  | StoreSchemaError["code"]
  | StoreConfigError["code"]
  | StoreInvalidSearchError["code"]
  | StoreBusyError["code"]
  | StoreUnavailableError["code"];

const CODES = new Set<string>([
  "STORE_FENCED",
  "STORE_BUSY",
  "STORE_UNAVAILABLE",
  "STORE_UNKNOWN_TYPE",
  "STORE_INVALID_ENTITY",
  "STORE_INVALID_ATTRIBUTES",
  "STORE_ENTITY_NOT_FOUND",
  "STORE_REFERENCE_NOT_FOUND",
  "STORE_UNIQUE_CONFLICT",
  "STORE_NOT_A_LINEAGE_ENTITY",
  "STORE_UNKNOWN_CLASSIFICATION",
  "STORE_RELATIONSHIP_NOT_FOUND",
  "STORE_RELATIONSHIP_EXISTS",
  "STORE_TYPE_EXISTS",
  "STORE_INVALID_TYPEDEF",
  "STORE_TYPEDEF_NOT_FOUND",
  "STORE_TYPE_IN_USE",
  "STORE_SCHEMA_TOO_NEW",
  "STORE_CONFIG_INVALID",
  "STORE_INVALID_SEARCH",
]);

/** The typed store error an unknown value is, if it is one (by `code`, not `instanceof`). */
export function asStoreError(error: unknown):
  | {
      code: StoreErrorCode;
      httpStatus: number;
      atlasErrorCode: string;
      permanent: boolean;
      message: string;
    }
  | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && CODES.has(code) ? (error as never) : undefined;
}
