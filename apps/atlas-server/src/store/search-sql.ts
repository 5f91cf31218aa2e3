/**
 * The SQL a search is built from, for each backend: how a JSON attribute is read as text, a
 * number or a boolean, how the elements of a JSON list become rows. SQLite reads its TEXT JSON
 * with JSON1 (`json_type`, `json_extract`, `json_each`); PostgreSQL its `json` columns with
 * `->`, `->>`, `json_typeof`, `json_array_elements`. Every value a client sends — attribute
 * names included — is a bound parameter, never part of the statement's text.
 */
import { StoreInvalidSearchError } from "./errors.js";
import type { SqlParams } from "./sql.js";

/** A value read from a row: SQL expressions for each way a test may look at it. */
export interface Scalar {
  /** The value when it is a string, else NULL. */
  text: string;
  /** The value when it is a number, else NULL. */
  number: string;
  /** 'true' / 'false' when it is a boolean, else NULL. */
  bool: string;
  /** True when the value is missing or null. */
  absent: string;
  /** False for a NOT NULL column (sorting needs no nulls-last term, so an index can order). */
  nullable: boolean;
  /** A text column with a code-point-ordered index on lower(column): prefix tests use a range. */
  lowerIndexed?: boolean;
}

/** A JSON list read from a row: its elements as rows of a FROM clause. */
export interface ListSource {
  /** `FROM …` of one row per element (empty when the value is not a list). */
  from: string;
  /** Each element, as a Scalar over that FROM. */
  element: Scalar;
}

export interface SearchFlavor {
  readonly kind: "sqlite" | "postgres";
  /** A bound parameter, typed where PostgreSQL needs it. */
  param(ref: string, type: "text" | "numeric" | "json"): string;
  /** The parameter value addressing `key` of a JSON object. */
  keyValue(key: string): string;
  /** `key` (a bound parameter of keyValue) of the JSON object `obj`. */
  member(obj: string, key: string): Scalar;
  /** The list at `key` of `obj` (key undefined: `obj` itself), elements aliased `alias`. */
  list(obj: string, key: string | undefined, alias: string): ListSource;
  /** A constant member of a JSON object (e.g. a classification's `typeName`) as text. */
  constText(obj: string, name: "typeName" | "entityGuid"): string;
  /** A constant member that is itself a JSON object (a classification's `attributes`). */
  constObject(obj: string, name: "attributes"): string;
  /** Key/value text rows of the JSON object `obj`, aliased `alias` (columns key, value). */
  objectEntries(obj: string, alias: string): string;
  /** The collation that orders text by code point ('' where that is the default). */
  readonly bytewise: string;
  /** Rows of the strings (numbers) of a JSON list parameter. */
  jsonList(ref: string, type: "text" | "numeric"): string;
  /**
   * lower(`column`) is lower() of one of the strings of a JSON list parameter: a probe of the
   * index on lower(column) per string (on PostgreSQL as `= ANY`, as Dialect.inList says why).
   */
  lowerInList(column: string, ref: string): string;
}

export const SQLITE_SEARCH: SearchFlavor = {
  kind: "sqlite",
  bytewise: "",
  param: (ref) => ref,
  keyValue: (key) => `$."${key}"`,
  member: (obj, key) => ({
    text: `CASE WHEN json_type(${obj}, ${key}) = 'text' THEN json_extract(${obj}, ${key}) END`,
    number: `CASE WHEN json_type(${obj}, ${key}) IN ('integer', 'real') THEN json_extract(${obj}, ${key}) END`,
    bool: `CASE WHEN json_type(${obj}, ${key}) IN ('true', 'false') THEN json_type(${obj}, ${key}) END`,
    absent: `(COALESCE(json_type(${obj}, ${key}), 'null') = 'null')`,
    nullable: true,
  }),
  list: (obj, key, alias) => ({
    from:
      key === undefined
        ? `json_each(${obj}) AS ${alias}`
        : `json_each(CASE WHEN json_type(${obj}, ${key}) = 'array' THEN json_extract(${obj}, ${key}) END) AS ${alias}`,
    element: {
      text: `CASE WHEN ${alias}.type = 'text' THEN ${alias}.value END`,
      number: `CASE WHEN ${alias}.type IN ('integer', 'real') THEN ${alias}.value END`,
      bool: `CASE WHEN ${alias}.type IN ('true', 'false') THEN ${alias}.type END`,
      absent: `(${alias}.type = 'null')`,
      nullable: true,
    },
  }),
  constText: (obj, name) => `json_extract(${obj}, '$.${name}')`,
  constObject: (obj, name) => `json_extract(${obj}, '$.${name}')`,
  objectEntries: (obj, alias) => `json_each(${obj}) AS ${alias}`,
  jsonList: (ref) => `SELECT value FROM json_each(${ref})`,
  lowerInList: (column, ref) => `lower(${column}) IN (SELECT lower(value) FROM json_each(${ref}))`,
};

export const POSTGRES_SEARCH: SearchFlavor = {
  kind: "postgres",
  bytewise: ' COLLATE "C"',
  param: (ref, type) => `${ref}::${type}`,
  keyValue: (key) => key,
  member: (obj, key) => {
    const at = `(${obj})->${key}::text`;
    return {
      text: `CASE WHEN json_typeof(${at}) = 'string' THEN (${obj})->>${key}::text END`,
      number: `CASE WHEN json_typeof(${at}) = 'number' THEN ((${obj})->>${key}::text)::numeric END`,
      bool: `CASE WHEN json_typeof(${at}) = 'boolean' THEN (${obj})->>${key}::text END`,
      absent: `(COALESCE(json_typeof(${at}), 'null') = 'null')`,
      nullable: true,
    };
  },
  list: (obj, key, alias) => {
    const at = key === undefined ? `(${obj})` : `(${obj})->${key}::text`;
    const value = `${alias}.value`;
    return {
      from: `json_array_elements(CASE WHEN json_typeof(${at}) = 'array' THEN ${at} END) AS ${alias}(value)`,
      element: {
        text: `CASE WHEN json_typeof(${value}) = 'string' THEN ${value} #>> '{}' END`,
        number: `CASE WHEN json_typeof(${value}) = 'number' THEN (${value} #>> '{}')::numeric END`,
        bool: `CASE WHEN json_typeof(${value}) = 'boolean' THEN ${value} #>> '{}' END`,
        absent: `(json_typeof(${value}) = 'null')`,
        nullable: true,
      },
    };
  },
  constText: (obj, name) => `(${obj})->>'${name}'`,
  constObject: (obj, name) => `(${obj})->'${name}'`,
  objectEntries: (obj, alias) => `json_each_text(${obj}) AS ${alias}(key, value)`,
  jsonList: (ref, type) =>
    type === "numeric"
      ? `SELECT (json_array_elements_text(${ref}::json))::numeric`
      : `SELECT json_array_elements_text(${ref}::json)`,
  lowerInList: (column, ref) =>
    `lower(${column}) COLLATE "C" = ANY(ARRAY(SELECT lower(item) COLLATE "C" FROM json_array_elements_text(${ref}::json) AS item))`,
};

export function searchFlavor(kind: "sqlite" | "postgres"): SearchFlavor {
  return kind === "sqlite" ? SQLITE_SEARCH : POSTGRES_SEARCH;
}

/** A column as a Scalar: it is never a boolean, and NULL when absent. */
export function columnScalar(
  column: string,
  options: { nullable?: boolean; lowerIndexed?: boolean } = {},
): Scalar {
  return {
    text: column,
    number: column,
    bool: "NULL",
    absent: `(${column} IS NULL)`,
    nullable: options.nullable ?? false,
    ...(options.lowerIndexed ? { lowerIndexed: true } : {}),
  };
}

/** The parameters of one statement under construction: `@s0`, `@s1`, … */
export class Params {
  readonly values: SqlParams = {};
  #next = 0;

  add(value: string | number | null): string {
    // SQLite reads a text parameter up to its first NUL: "a\0b" would compare as "a".
    if (typeof value === "string" && value.includes("\u0000"))
      throw new StoreInvalidSearchError("search text may not contain NUL characters");
    const name = `s${this.#next++}`;
    this.values[name] = value;
    return `@${name}`;
  }
}

/** Fresh aliases for nested element rows. */
export class Aliases {
  #next = 0;
  next(prefix: string): string {
    return `${prefix}${this.#next++}`;
  }
}
