/**
 * Atlas's `SearchParameters.FilterCriteria` read into a checked tree: every operator alias
 * Atlas accepts mapped to its operator, groups with a condition, bounded in depth and size so
 * a hostile filter cannot make the store build an unbounded statement.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { StoreInvalidSearchError } from "./errors.js";
import type { FilterCriteria } from "./types.js";

/** Atlas's `SearchParameters.Operator`, each with the symbols Jackson reads it from. */
const OPERATOR_SYMBOLS = {
  LT: ["<", "lt"],
  GT: [">", "gt"],
  LTE: ["<=", "lte"],
  GTE: [">=", "gte"],
  EQ: ["=", "eq"],
  NEQ: ["!=", "neq"],
  IN: ["in", "IN"],
  LIKE: ["like", "LIKE"],
  STARTS_WITH: ["startsWith", "STARTSWITH", "begins_with", "BEGINS_WITH"],
  ENDS_WITH: ["endsWith", "ENDSWITH", "ends_with", "ENDS_WITH"],
  CONTAINS: ["contains", "CONTAINS"],
  NOT_CONTAINS: ["not_contains", "NOT_CONTAINS"],
  CONTAINS_ANY: ["containsAny", "CONTAINSANY", "contains_any", "CONTAINS_ANY"],
  CONTAINS_ALL: ["containsAll", "CONTAINSALL", "contains_all", "CONTAINS_ALL"],
  IS_NULL: ["isNull", "ISNULL", "is_null", "IS_NULL"],
  NOT_NULL: ["notNull", "NOTNULL", "not_null", "NOT_NULL"],
  TIME_RANGE: ["timerange", "TIMERANGE", "time_range", "TIME_RANGE"],
  NOT_EMPTY: ["notEmpty", "NOTEMPTY", "not_empty", "NOT_EMPTY"],
} as const;

export type Operator = keyof typeof OPERATOR_SYMBOLS;

const BY_SYMBOL = new Map<string, Operator>();
for (const [op, symbols] of Object.entries(OPERATOR_SYMBOLS))
  for (const s of symbols) BY_SYMBOL.set(s, op as Operator);

/** The operator a symbol names (Atlas's symbols and aliases, exactly as spelt); undefined if none. */
export function operatorOf(symbol: string): Operator | undefined {
  return BY_SYMBOL.get(symbol);
}

/** Operators that need no value. */
const VALUELESS = new Set<Operator>(["IS_NULL", "NOT_NULL", "NOT_EMPTY"]);

export type Criterion =
  | { kind: "group"; condition: "AND" | "OR"; criteria: Criterion[] }
  | { kind: "test"; attribute: string; operator: Operator; value: string };

/** Deepest nesting of groups accepted (Atlas's UI builds two or three levels). */
export const MAX_FILTER_DEPTH = 8;
/** Most tests in one filter tree. */
export const MAX_FILTER_TESTS = 128;
/** Longest attribute value in a test. */
export const MAX_FILTER_VALUE = 4096;

function invalid(message: string, code: string = ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code): never {
  throw new StoreInvalidSearchError(message, code);
}

/** True when the filter says nothing (null, `{}`, a group with no criterion): Atlas skips it. */
export function isEmptyFilter(filter: FilterCriteria | null | undefined): boolean {
  if (filter === null || filter === undefined) return true;
  const hasGroup = Array.isArray(filter.criterion) && filter.criterion.length > 0;
  const hasTest =
    (typeof filter.attributeName === "string" && filter.attributeName !== "") ||
    (filter.operator !== undefined && filter.operator !== null) ||
    (filter.attributeValue !== undefined &&
      filter.attributeValue !== null &&
      filter.attributeValue !== "");
  return !hasGroup && !hasTest;
}

/**
 * The checked tree of `filter`, or null when it is empty. `where` names it in messages
 * (`entityFilters`, `tagFilters`).
 */
export function readCriteria(filter: unknown, where: string): Criterion | null {
  if (filter === null || filter === undefined) return null;
  let tests = 0;
  const read = (node: unknown, path: string, depth: number): Criterion | null => {
    if (typeof node !== "object" || node === null || Array.isArray(node))
      invalid(`${path}: expected a filter object`);
    const f = node as FilterCriteria;
    if (f.criterion !== undefined && f.criterion !== null && !Array.isArray(f.criterion))
      invalid(`${path}.criterion: expected a list`);
    if (isEmptyFilter(f)) return null;
    if (depth > MAX_FILTER_DEPTH)
      invalid(`${where}: filters nest at most ${MAX_FILTER_DEPTH} levels deep`);
    if (Array.isArray(f.criterion) && f.criterion.length > 0) {
      if (f.attributeName || f.operator)
        invalid(`${path}: a filter is either a group (condition, criterion) or one test`);
      const condition = typeof f.condition === "string" ? f.condition.toUpperCase() : undefined;
      if (condition !== "AND" && condition !== "OR")
        invalid(
          `${path}.condition: Condition (AND/OR) must be specified when using multiple filters`,
        );
      const criteria: Criterion[] = [];
      for (const [i, child] of f.criterion.entries()) {
        if (child === null) continue;
        const read1 = read(child, `${path}.criterion[${i}]`, depth + 1);
        if (read1) criteria.push(read1);
      }
      return criteria.length === 0 ? null : { kind: "group", condition, criteria };
    }
    tests += 1;
    if (tests > MAX_FILTER_TESTS)
      invalid(`${where}: at most ${MAX_FILTER_TESTS} attribute tests in one filter`);
    const attribute = typeof f.attributeName === "string" ? f.attributeName.trim() : "";
    const operator = typeof f.operator === "string" ? operatorOf(f.operator.trim()) : undefined;
    if (operator === undefined)
      invalid(
        `Invalid operator specified for attribute: ${attribute || "(none)"} (${path}.operator ${JSON.stringify(f.operator ?? null)})`,
        ATLAS_ERRORS.INVALID_OPERATOR.code,
      );
    if (attribute === "")
      invalid(`Name Attribute can't be empty! (${path})`, ATLAS_ERRORS.BLANK_NAME_ATTRIBUTE.code);
    const raw = f.attributeValue;
    if (raw !== undefined && raw !== null && typeof raw === "object")
      invalid(`${path}.attributeValue: expected a string`);
    const value = raw === undefined || raw === null ? "" : String(raw);
    if (!VALUELESS.has(operator) && value.trim() === "")
      invalid(`Value Attribute can't be empty! (${path})`, ATLAS_ERRORS.BLANK_VALUE_ATTRIBUTE.code);
    if (value.length > MAX_FILTER_VALUE)
      invalid(`${path}.attributeValue: longer than ${MAX_FILTER_VALUE} characters`);
    return { kind: "test", attribute, operator, value };
  };
  return read(filter, where, 1);
}

/** Every test of the tree. */
export function testsOf(criterion: Criterion | null): Extract<Criterion, { kind: "test" }>[] {
  if (criterion === null) return [];
  if (criterion.kind === "test") return [criterion];
  return criterion.criteria.flatMap(testsOf);
}
