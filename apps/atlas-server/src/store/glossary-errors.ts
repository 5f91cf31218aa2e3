/**
 * The glossary's failures (Atlas's GlossaryService cases), each with Atlas's status and code
 * (AtlasErrorCode.java): a request that breaks a glossary rule, and a name already taken.
 * A glossary, term or category that does not exist is the store's StoreNotFoundError (404
 * ATLAS-404-00-005), as Atlas answers INSTANCE_GUID_NOT_FOUND.
 */

/** Atlas's glossary error codes, by the name AtlasErrorCode gives them. */
export const GLOSSARY_ERRORS = {
  BAD_REQUEST: { status: 400, code: "ATLAS-400-00-029" },
  MISSING_MANDATORY_ANCHOR: { status: 400, code: "ATLAS-400-00-072" },
  INVALID_PARTIAL_UPDATE_ATTR: { status: 400, code: "ATLAS-400-00-074" },
  MISSING_TERM_ID_FOR_CATEGORIZATION: { status: 400, code: "ATLAS-400-00-076" },
  INVALID_NEW_ANCHOR_GUID: { status: 400, code: "ATLAS-400-00-077" },
  TERM_DISSOCIATION_MISSING_RELATION_GUID: { status: 400, code: "ATLAS-400-00-078" },
  GLOSSARY_QUALIFIED_NAME_CANT_BE_DERIVED: { status: 400, code: "ATLAS-400-00-079" },
  GLOSSARY_TERM_QUALIFIED_NAME_CANT_BE_DERIVED: { status: 400, code: "ATLAS-400-00-07A" },
  GLOSSARY_CATEGORY_QUALIFIED_NAME_CANT_BE_DERIVED: { status: 400, code: "ATLAS-400-00-07B" },
  INVALID_TERM_RELATION_TO_SELF: { status: 400, code: "ATLAS-400-00-07E" },
  INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY: { status: 400, code: "ATLAS-400-00-07F" },
  INVALID_TERM_DISSOCIATION: { status: 400, code: "ATLAS-400-00-080" },
  INVALID_DISPLAY_NAME: { status: 400, code: "ATLAS-400-00-083" },
  TERM_HAS_ENTITY_ASSOCIATION: { status: 400, code: "ATLAS-400-00-084" },
  GLOSSARY_ALREADY_EXISTS: { status: 409, code: "ATLAS-409-00-007" },
  GLOSSARY_TERM_ALREADY_EXISTS: { status: 409, code: "ATLAS-409-00-009" },
  GLOSSARY_CATEGORY_ALREADY_EXISTS: { status: 409, code: "ATLAS-409-00-00A" },
} as const;

export type GlossaryErrorCase = keyof typeof GLOSSARY_ERRORS;

/** A glossary request Atlas refuses (400), with the AtlasErrorCode case in `reason`. */
export class StoreGlossaryInvalidError extends Error {
  override readonly name = "StoreGlossaryInvalidError" as const;
  readonly code = "STORE_GLOSSARY_INVALID" as const;
  readonly httpStatus: number;
  readonly atlasErrorCode: string;
  readonly permanent = true;
  readonly reason: GlossaryErrorCase;

  constructor(reason: Exclude<GlossaryErrorCase, `${string}ALREADY_EXISTS`>, message: string) {
    super(message);
    this.reason = reason;
    this.httpStatus = GLOSSARY_ERRORS[reason].status;
    this.atlasErrorCode = GLOSSARY_ERRORS[reason].code;
  }
}

/** A glossary, term or category qualifiedName another ACTIVE one has (409). */
export class StoreGlossaryExistsError extends Error {
  override readonly name = "StoreGlossaryExistsError" as const;
  readonly code = "STORE_GLOSSARY_EXISTS" as const;
  readonly httpStatus = 409;
  readonly atlasErrorCode: string;
  readonly permanent = true;
  readonly qualifiedName: string;

  constructor(kind: "glossary" | "term" | "category", name: string) {
    const [reason, message] =
      kind === "glossary"
        ? (["GLOSSARY_ALREADY_EXISTS", `Glossary with name ${name} already exists`] as const)
        : kind === "term"
          ? ([
              "GLOSSARY_TERM_ALREADY_EXISTS",
              `Glossary term with qualifiedName ${name} already exists`,
            ] as const)
          : ([
              "GLOSSARY_CATEGORY_ALREADY_EXISTS",
              `Glossary category with qualifiedName ${name} already exists`,
            ] as const);
    super(message);
    this.atlasErrorCode = GLOSSARY_ERRORS[reason].code;
    this.qualifiedName = name;
  }
}
