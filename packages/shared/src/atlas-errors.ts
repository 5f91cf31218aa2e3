/**
 * Every Atlas error code atlas-ha answers with, once: the redirect middleware and the server
 * both take theirs from here, so a code never means two things. Where Apache Atlas has the
 * case (AtlasErrorCode.java), the code is Atlas's; the 503s of an HA group and a few others
 * are ours, in Atlas's format `ATLAS-<http status>-00-<id>`.
 */
export interface AtlasErrorCodeEntry {
  /** HTTP status of the answer. */
  readonly status: number;
  /** `errorCode` of the JSON body. */
  readonly code: string;
  /** What it means, for the docs and for messages. */
  readonly meaning: string;
}

const entry = (status: number, code: string, meaning: string): AtlasErrorCodeEntry =>
  Object.freeze({ status, code, meaning });

export const ATLAS_ERRORS = Object.freeze({
  // 400
  BAD_JSON: entry(400, "ATLAS-400-00-001", "malformed JSON in the request body"),
  INVALID_REQUEST: entry(400, "ATLAS-400-00-002", "a parameter or body the server cannot honour"),
  INCOMPATIBLE_TYPEDEF_UPDATE: entry(
    400,
    "ATLAS-400-00-010",
    "a typedef update names a type of another category (Atlas's TYPE_MATCH_FAILED)",
  ),
  CANNOT_ADD_MANDATORY_ATTRIBUTE: entry(
    400,
    "ATLAS-400-00-00C",
    "a typedef update adds an attribute that is not optional",
  ),
  ATTRIBUTE_DELETION_NOT_SUPPORTED: entry(
    400,
    "ATLAS-400-00-00D",
    "a typedef update leaves out an attribute the type has",
  ),
  SUPERTYPE_REMOVAL_NOT_SUPPORTED: entry(
    400,
    "ATLAS-400-00-00E",
    "a typedef update leaves out a supertype the type has",
  ),
  UNKNOWN_TYPENAME: entry(400, "ATLAS-400-00-00A", "a search names a type that does not exist"),
  UNKNOWN_TYPE: entry(
    400,
    "ATLAS-400-00-014",
    "an entity, a reference or an entity route names a type that does not exist",
  ),
  INVALID_TYPEDEF: entry(
    400,
    "ATLAS-400-00-011",
    "a malformed typedef (no name, unknown supertype, a cycle)",
  ),
  TYPE_NAME_INVALID_FORMAT: entry(
    400,
    "ATLAS-400-00-019",
    "a type name that is not a letter followed by letters, digits, spaces or _",
  ),
  SYSTEM_TYPE: entry(
    400,
    "ATLAS-400-00-024",
    "a built-in system type (string, array<…>) has no typedef",
  ),
  TYPEDEF_BAD_REQUEST: entry(
    400,
    "ATLAS-400-00-029",
    "a request Atlas refuses as BAD_REQUEST: a typedef naming an unknown type or changing an attribute's type; a search parameter or filter it cannot run; another user's saved search",
  ),
  INVALID_OBJECT_ID: entry(
    400,
    "ATLAS-400-00-021",
    "a reference that is not an object id (no guid, nor typeName with uniqueAttributes); a saved-search update without a guid",
  ),
  SAVED_SEARCH_CHANGE_USER: entry(
    400,
    "ATLAS-400-00-056",
    "a saved-search update names another owner than the stored one",
  ),
  PURGE_REQUEST_TOO_LARGE: entry(
    400,
    "ATLAS-400-00-109",
    "a purge names more guids than atlas.purge.api.max.request.size",
  ),
  RELATIONSHIPDEF_END1_UPDATE: entry(
    400,
    "ATLAS-400-00-037",
    "a relationshipDef update changes end 1 (type, name, isContainer, cardinality)",
  ),
  RELATIONSHIPDEF_END2_UPDATE: entry(
    400,
    "ATLAS-400-00-038",
    "a relationshipDef update changes end 2 (type, name, isContainer, cardinality)",
  ),
  RELATIONSHIPDEF_CATEGORY_UPDATE: entry(
    400,
    "ATLAS-400-00-039",
    "a relationshipDef update changes its relationshipCategory",
  ),
  RELATIONSHIPDEF_RENAME: entry(
    400,
    "ATLAS-400-00-040",
    "a relationshipDef update by guid renames it",
  ),
  NON_INDEXABLE_BM_DELETE_NOT_ALLOWED: entry(
    400,
    "ATLAS-400-00-107",
    "a business metadata def with a non-indexable attribute deleted without force=true",
  ),
  ENTITYTYPE_REMOVAL_NOT_SUPPORTED: entry(
    400,
    "ATLAS-400-00-051",
    "a classificationDef update removes some of its entityTypes",
  ),
  INVALID_ENTITY: entry(400, "ATLAS-400-00-01A", "an entity malformed for its type"),
  MISSING_UNIQUE_ATTRIBUTE: entry(
    400,
    "ATLAS-400-00-02B",
    "an entity without its unique attribute (qualifiedName)",
  ),
  INVALID_RELATIONSHIP_END: entry(
    400,
    "ATLAS-400-00-045",
    "a relationship attribute refers to an entity of a type its relationshipDef does not allow",
  ),
  CLASSIFICATION_DUPLICATE: entry(
    400,
    "ATLAS-400-00-01B",
    "an entity given the same classification twice",
  ),
  UNKNOWN_ATTRIBUTE: entry(400, "ATLAS-400-00-023", "an attribute its type does not have"),
  UNKNOWN_CLASSIFICATION: entry(
    400,
    "ATLAS-400-00-046",
    "a search names a classification that does not exist",
  ),
  INVALID_RELATIONSHIP_ATTRIBUTE: entry(
    400,
    "ATLAS-400-00-048",
    "a relationship search names an attribute that is not a relationship of the entity's type",
  ),
  INVALID_SEARCH_PARAMS: entry(
    400,
    "ATLAS-400-00-047",
    "a basic search with none of typeName, classification, termName or query",
  ),
  INVALID_QUERY_LENGTH: entry(
    400,
    "ATLAS-400-00-058",
    "a search query longer than the limit (4096 characters)",
  ),
  INVALID_DSL_QUERY: entry(400, "ATLAS-400-00-059", "a DSL query the server cannot parse or run"),
  INVALID_DSL_UNKNOWN_TYPE: entry(400, "ATLAS-400-00-05B", "a DSL query names an unknown type"),
  INVALID_DSL_UNKNOWN_CLASSIFICATION: entry(
    400,
    "ATLAS-400-00-05C",
    "a DSL query names an unknown classification",
  ),
  INVALID_DSL_UNKNOWN_ATTRIBUTE: entry(
    400,
    "ATLAS-400-00-05D",
    "a DSL query names an attribute its type does not have",
  ),
  INVALID_OPERATOR: entry(400, "ATLAS-400-00-103", "a search filter without a known operator"),
  BLANK_NAME_ATTRIBUTE: entry(400, "ATLAS-400-00-104", "a search filter without an attribute name"),
  BLANK_VALUE_ATTRIBUTE: entry(
    400,
    "ATLAS-400-00-105",
    "a search filter without the value its operator needs",
  ),
  INVALID_STRUCT_VALUE: entry(
    400,
    "ATLAS-400-00-025",
    "a struct attribute's value that is not an object",
  ),
  CLASSIFICATION_NOT_APPLICABLE: entry(
    400,
    "ATLAS-400-00-055",
    "a classification whose entityTypes do not include the entity's type",
  ),
  CLASSIFICATION_NOT_ASSOCIATED: entry(
    400,
    "ATLAS-400-00-06D",
    "a classification the entity does not have",
  ),
  CLASSIFICATION_UPDATE_FROM_PROPAGATED_ENTITY: entry(
    400,
    "ATLAS-400-00-06B",
    "an update, on the entity it was propagated to, of a classification another entity carries",
  ),
  PROPAGATED_CLASSIFICATION_NOT_ASSOCIATED: entry(
    400,
    "ATLAS-400-00-070",
    "a propagated classification the entity does not receive from that source entity",
  ),
  PROPAGATED_CLASSIFICATION_REMOVAL_NOT_SUPPORTED: entry(
    400,
    "ATLAS-400-00-089",
    "a removal of a propagated classification while its source entity is ACTIVE",
  ),
  INVALID_PROPAGATION_TYPE: entry(
    400,
    "ATLAS-400-00-091",
    "a relationship's propagateTags its relationshipDef does not allow",
  ),
  CUSTOM_ATTRIBUTE_KEY_LENGTH: entry(
    400,
    "ATLAS-400-00-08C",
    "a custom attribute key over 50 characters",
  ),
  CUSTOM_ATTRIBUTE_KEY_CHARACTERS: entry(
    400,
    "ATLAS-400-00-08D",
    "a custom attribute key with characters other than letters, digits, '_' or '-'",
  ),
  CUSTOM_ATTRIBUTE_VALUE_LENGTH: entry(
    400,
    "ATLAS-400-00-08E",
    "a custom attribute value over 500 characters",
  ),
  LABEL_LENGTH: entry(400, "ATLAS-400-00-08F", "a label over 50 characters"),
  LABEL_CHARACTERS: entry(
    400,
    "ATLAS-400-00-090",
    "a label with characters other than letters, digits, '_' or '-'",
  ),
  BUSINESS_METADATA_NOT_APPLICABLE: entry(
    400,
    "ATLAS-400-00-095",
    "business metadata (or one of its attributes) that does not apply to the entity's type",
  ),
  INVALID_FILE_TYPE: entry(
    400,
    "ATLAS-400-00-098",
    "an uploaded file of a type the server does not read (business-metadata import: .csv)",
  ),
  NO_DATA_FOUND: entry(400, "ATLAS-400-00-09B", "an uploaded file without data rows"),
  NOT_VALID_FILE: entry(400, "ATLAS-400-00-09C", "an uploaded file that cannot be parsed"),
  INVALID_TOPIC_NAME: entry(
    400,
    "ATLAS-400-00-101",
    "a notification posted to a topic that is not a hook or entity topic",
  ),
  LINEAGE_ON_DEMAND_NOT_ENABLED: entry(
    400,
    "ATLAS-400-00-100",
    "lineage on demand (POST v2/lineage/{guid}), which Atlas serves only when configured",
  ),
  UNREDIRECTABLE_TARGET: entry(
    400,
    "ATLAS-400-00-F01",
    "a passive cannot redirect this request target (e.g. OPTIONS *)",
  ),
  // 401, 403
  UNAUTHENTICATED: entry(401, "ATLAS-401-00-001", "authentication required"),
  FORBIDDEN: entry(403, "ATLAS-403-00-001", "the user may not do this"),
  // 404
  NO_ROUTE: entry(404, "ATLAS-404-00-F01", "no resource at this path"),
  FILE_NAME_NOT_FOUND: entry(404, "ATLAS-404-00-014", "an upload without a file name"),
  TYPE_NAME_NOT_FOUND: entry(404, "ATLAS-404-00-001", "no typedef of this name"),
  TYPE_GUID_NOT_FOUND: entry(404, "ATLAS-404-00-002", "no typedef with this guid"),
  GUID_NOT_FOUND: entry(404, "ATLAS-404-00-005", "no entity with this guid"),
  INSTANCE_CRUD_INVALID_PARAMS: entry(
    404,
    "ATLAS-404-00-007",
    "entity attributes that fail their typedefs (Atlas's status: 404, not 400)",
  ),
  CLASSIFICATION_NOT_FOUND: entry(404, "ATLAS-404-00-008", "no classification type of this name"),
  UNIQUE_ATTRIBUTE_NOT_FOUND: entry(
    404,
    "ATLAS-404-00-009",
    "no entity of this type with this unique attribute",
  ),
  REFERENCE_NOT_FOUND: entry(
    404,
    "ATLAS-404-00-00A",
    "a reference by guid to an entity that is neither sent nor stored",
  ),
  RELATIONSHIP_NOT_FOUND: entry(404, "ATLAS-404-00-00C", "no relationship with this guid"),
  RELATIONSHIP_ALREADY_DELETED: entry(
    404,
    "ATLAS-404-00-00F",
    "a delete of a relationship that is deleted already",
  ),
  NOT_A_LINEAGE_ENTITY: entry(
    404,
    "ATLAS-404-00-011",
    "lineage was asked of an entity that is neither a DataSet nor a Process",
  ),
  // 405, 409, 413, 415
  METHOD_NOT_ALLOWED: entry(405, "ATLAS-405-00-001", "this method is not served at this path"),
  TYPE_EXISTS: entry(409, "ATLAS-409-00-001", "a typedef of that name exists already"),
  TYPE_HAS_REFERENCES: entry(
    409,
    "ATLAS-409-00-002",
    "the type has instances, or other types refer to it (supertype, attribute, end)",
  ),
  GLOSSARY_IMPORT_FAILED: entry(409, "ATLAS-409-00-011", "a glossary import that created no term"),
  UNIQUE_CONFLICT: entry(
    409,
    "ATLAS-409-00-003",
    "another active entity of the type holds that qualifiedName",
  ),
  RELATIONSHIP_EXISTS: entry(
    409,
    "ATLAS-409-00-004",
    "an ACTIVE relationship of that type between those entities exists already",
  ),
  TYPE_HAS_RELATIONSHIPS: entry(
    409,
    "ATLAS-409-00-005",
    "an entity type that relationshipDefs still name as an end",
  ),
  SAVED_SEARCH_EXISTS: entry(
    409,
    "ATLAS-409-00-006",
    "the owner has a saved search of that name already",
  ),
  TOO_LARGE: entry(413, "ATLAS-413-00-001", "the request body is larger than the limit"),
  UNSUPPORTED_MEDIA_TYPE: entry(415, "ATLAS-415-00-001", "the body is not application/json"),
  // 500
  INTERNAL: entry(
    500,
    "ATLAS-500-00-001",
    "an internal error; the server log has it under the request id",
  ),
  NOTIFICATION_FAILED: entry(
    500,
    "ATLAS-500-00-018",
    "hook messages posted over REST that Kafka did not acknowledge (Atlas's NOTIFICATION_EXCEPTION)",
  ),
  // 502, 504: a passive in proxy mode that could not get the active's answer
  PROXY_UPSTREAM_FAILED: entry(
    502,
    "ATLAS-502-00-001",
    "a passive in proxy mode could not reach the active, or the active's answer broke off",
  ),
  PROXY_UPSTREAM_TIMEOUT: entry(
    504,
    "ATLAS-504-00-001",
    "a passive in proxy mode got no answer from the active in time (connect or response timeout)",
  ),
  // 503: an HA group that cannot serve here and now (Retry-After: 1)
  TRANSITIONAL: entry(
    503,
    "ATLAS-503-00-001",
    "this instance is BECOMING_ACTIVE or BECOMING_PASSIVE",
  ),
  ACTIVE_UNKNOWN: entry(
    503,
    "ATLAS-503-00-002",
    "a passive that does not know the active's address",
  ),
  ACTIVE_IS_SELF: entry(
    503,
    "ATLAS-503-00-003",
    "the published active address is this passive's own",
  ),
  ACTIVE_ADDRESS_INVALID: entry(
    503,
    "ATLAS-503-00-004",
    "the published active address is not an http(s) origin",
  ),
  STATE_UNAVAILABLE: entry(503, "ATLAS-503-00-005", "the instance's state could not be read"),
  NO_LONGER_ACTIVE: entry(
    503,
    "ATLAS-503-00-006",
    "the store refused this instance's epoch: another instance is active",
  ),
  STORE_BUSY: entry(503, "ATLAS-503-00-007", "the store's write lock was not free in time"),
  STORE_UNAVAILABLE: entry(503, "ATLAS-503-00-008", "the database cannot be reached right now"),
  PROXY_LOOP: entry(
    503,
    "ATLAS-503-00-009",
    "a passive in proxy mode got a request another passive of the group had forwarded already",
  ),
  // A planned hand-over (POST admin/ha/switchover) refused: ours
  SWITCHOVER_STANDALONE: entry(
    400,
    "ATLAS-400-00-A01",
    "a switchover needs HA: this instance is standalone",
  ),
  SWITCHOVER_TARGET_UNKNOWN: entry(
    404,
    "ATLAS-404-00-A02",
    "the switchover target is not an instance of the group, or not in its election",
  ),
  SWITCHOVER_NO_CANDIDATE: entry(
    409,
    "ATLAS-409-00-A03",
    "no other instance is in the election and answers PASSIVE",
  ),
  SWITCHOVER_TARGET_UNHEALTHY: entry(
    409,
    "ATLAS-409-00-A04",
    "the switchover target does not answer PASSIVE on its status endpoint",
  ),
  SWITCHOVER_IN_TRANSITION: entry(
    409,
    "ATLAS-409-00-A05",
    "the instance is not ACTIVE, or a switchover is under way",
  ),
});

export type AtlasErrorName = keyof typeof ATLAS_ERRORS;
