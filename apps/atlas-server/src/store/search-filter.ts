/**
 * A checked filter tree (search-criteria.ts) compiled to a SQL condition: each test typed by
 * its attribute (strings and enums, numbers, dates as epoch ms, booleans, lists of those), each
 * operator given the meaning Atlas gives it, each value a bound parameter. Basic search, the
 * attribute search and the DSL compile through here; one compiler for all.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { AtlasAttributeDef } from "../models/typedefs.js";
import { StoreInvalidSearchError } from "./errors.js";
import { byLowerIndex } from "./schema.js";
import type { Criterion, Operator } from "./search-criteria.js";
import { Aliases, Params, type ListSource, type Scalar, type SearchFlavor } from "./search-sql.js";

/** How a test compares values: as text, as numbers, as booleans. */
export type ValueType =
  | { kind: "string" }
  | { kind: "enum"; values: string[] }
  | { kind: "number"; integer: boolean }
  | { kind: "date" }
  | { kind: "boolean" };

/** Where an attribute's value is, once resolved by a Target. */
export type Resolved =
  | { shape: "scalar"; value: Scalar; type: ValueType }
  | { shape: "list"; list: ListSource; type: ValueType }
  /** `__customAttributes`: key=value pairs. */
  | { shape: "entries"; from: string; empty: string };

/** What tests are about (an entity, a classification): resolves their attribute names. */
export interface Target {
  /** The attribute, or a StoreInvalidSearchError naming why it cannot be tested. */
  resolve(attribute: string, aliases: Aliases, params: Params): Resolved;
}

export interface CompileContext {
  flavor: SearchFlavor;
  params: Params;
  aliases: Aliases;
  /** Epoch ms: the time Atlas's named ranges (LAST_7_DAYS, …) are relative to. */
  now: number;
  /**
   * Set when a test that every match must pass (reached through AND groups only) can be
   * answered from the lower(name/qualifiedName) index: a prefix's range, an exact name or a
   * list of them.
   */
  nameIndexed?: boolean;
  /** While compiling: the current test is reached through AND groups only. */
  required?: boolean;
}

export function invalidSearch(
  message: string,
  code: string = ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code,
): never {
  throw new StoreInvalidSearchError(message, code);
}

const INTEGER_TYPES = new Set(["byte", "short", "int", "long", "biginteger"]);
const DECIMAL_TYPES = new Set(["float", "double", "bigdecimal"]);

/**
 * The ValueType and shape of an attribute def; undefined when it cannot be filtered on
 * (references, structs, maps). `enumValues` gives an enum type's values.
 */
export function valueTypeOf(
  def: Pick<AtlasAttributeDef, "typeName">,
  enumValues: (typeName: string) => string[] | undefined,
): { shape: "scalar" | "list"; type: ValueType } | undefined {
  const array = /^array<(.+)>$/.exec(def.typeName);
  const element = array ? array[1]!.trim() : def.typeName;
  const shape = array ? "list" : "scalar";
  if (element === "string") return { shape, type: { kind: "string" } };
  if (element === "boolean") return { shape, type: { kind: "boolean" } };
  if (element === "date") return { shape, type: { kind: "date" } };
  if (INTEGER_TYPES.has(element)) return { shape, type: { kind: "number", integer: true } };
  if (DECIMAL_TYPES.has(element)) return { shape, type: { kind: "number", integer: false } };
  const values = enumValues(element);
  if (values) return { shape, type: { kind: "enum", values } };
  return undefined;
}

/** A `*`/`?` wildcard pattern (Atlas's LIKE) as a lower-case SQL LIKE pattern with `\` escapes. */
function wildcard(value: string): string {
  return value
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, "%")
    .replace(/\?/g, "_");
}

function literalLike(value: string): string {
  return value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Atlas's IN value: `(a, b)`, `a,b`, items optionally quoted. */
function listItems(value: string): string[] {
  const inner = value.trim().replace(/^\(([\s\S]*)\)$/, "$1");
  return inner
    .split(",")
    .map((s) =>
      s
        .trim()
        .replace(/^"([\s\S]*)"$/, "$1")
        .replace(/^'([\s\S]*)'$/, "$1"),
    )
    .filter((s) => s !== "");
}

const DAY = 86_400_000;

function startOfDay(t: number): Date {
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function monthStart(now: number, monthsBack: number): Date {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - monthsBack, 1));
}

function addMonths(d: Date, months: number): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

/** Atlas's TIME_RANGE value: `start,end` in epoch ms, or one of its named ranges (UTC, as Atlas). */
export function timeRange(value: string, now: number, attribute: string): [number, number] {
  const today = startOfDay(now).getTime();
  const year = new Date(now).getUTCFullYear();
  const months = (back: number, span: number): [number, number] => {
    const start = monthStart(now, back);
    return [start.getTime(), addMonths(start, span) - 1];
  };
  switch (value.trim()) {
    case "LAST_7_DAYS":
      return [today - 6 * DAY, today + DAY - 1];
    case "LAST_30_DAYS":
      return [today - 29 * DAY, today + DAY - 1];
    case "LAST_MONTH":
      return months(1, 1);
    case "THIS_MONTH":
      return months(0, 1);
    case "TODAY":
      return [today, today + DAY - 1];
    case "YESTERDAY":
      return [today - DAY, today - 1];
    case "THIS_YEAR":
      return [Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1) - 1];
    case "LAST_YEAR":
      return [Date.UTC(year - 1, 0, 1), Date.UTC(year, 0, 1) - 1];
    // Atlas's own arithmetic for these (SearchProcessor.processDateRange), kept as it is.
    case "THIS_QUARTER":
      return months(1, 3);
    case "LAST_QUARTER":
      return months(4, 3);
    case "LAST_3_MONTHS":
      return months(3, 3);
    case "LAST_6_MONTHS":
      return months(6, 6);
    case "LAST_12_MONTHS":
      return months(12, 12);
  }
  const parts = value.split(",").map((s) => s.trim());
  if (parts.length === 2 && parts.every((p) => /^-?\d{1,16}$/.test(p))) {
    const [a, b] = parts.map(Number) as [number, number];
    if (a > b) invalidSearch(`${attribute}: time range ${value} ends before it starts`);
    return [a, b];
  }
  return invalidSearch(
    `${attribute}: a time range is "startMillis,endMillis" or one of LAST_7_DAYS, LAST_30_DAYS, LAST_MONTH, THIS_MONTH, TODAY, YESTERDAY, THIS_YEAR, LAST_YEAR, THIS_QUARTER, LAST_QUARTER, LAST_3_MONTHS, LAST_6_MONTHS, LAST_12_MONTHS; got ${JSON.stringify(value)}`,
  );
}

/** A value of a number or date attribute, checked. */
function numberValue(type: ValueType, value: string, attribute: string): number {
  const text = value.trim();
  if (type.kind === "date") {
    if (/^-?\d{1,16}$/.test(text)) return Number(text);
    const parsed = Date.parse(text);
    if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(parsed)) return parsed;
    return invalidSearch(
      `${attribute}: a date is epoch milliseconds or an ISO-8601 date, got ${JSON.stringify(value)}`,
    );
  }
  const integer = type.kind === "number" && type.integer;
  const ok = integer
    ? /^[-+]?\d{1,18}$/.test(text)
    : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
  if (!ok)
    invalidSearch(
      `${attribute}: expected ${integer ? "an integer" : "a number"}, got ${JSON.stringify(value)}`,
    );
  return Number(text);
}

function checkEnum(type: ValueType, value: string, attribute: string): void {
  if (type.kind === "enum" && !type.values.includes(value))
    invalidSearch(
      `${attribute}: ${JSON.stringify(value)} is not a value of its enum (${type.values.join(", ")})`,
    );
}

const COMPARE: Partial<Record<Operator, string>> = {
  LT: "<",
  GT: ">",
  LTE: "<=",
  GTE: ">=",
  EQ: "=",
  NEQ: "<>",
};

function unsupported(op: Operator, type: ValueType, attribute: string): never {
  return invalidSearch(
    `operator ${op} does not apply to ${attribute} (a ${type.kind} attribute)`,
    ATLAS_ERRORS.INVALID_OPERATOR.code,
  );
}

/**
 * `lower(column)` between the prefix and the prefix with its last code point incremented, in
 * code point order: every value the prefix LIKE matches is in that range, and the range is
 * what the index on lower(column) answers. Empty when no such bound exists.
 */
function prefixRange(ctx: CompileContext, column: string, prefix: string): string {
  const points = [...prefix];
  const last = points.pop();
  const code = last?.codePointAt(0);
  if (code === undefined || code >= 0x10ffff || (code >= 0xd7ff && code <= 0xdfff)) return "";
  const upper = `${points.join("")}${String.fromCodePoint(code + 1)}`;
  const { flavor: f, params } = ctx;
  if (ctx.required !== false) ctx.nameIndexed = true;
  const expr = `lower(${column})${f.bytewise}`;
  return `${expr} >= ${f.param(params.add(prefix), "text")}${f.bytewise} AND ${expr} < ${f.param(params.add(upper), "text")}${f.bytewise} AND `;
}

/** One test on one value (a scalar attribute, or a list element). */
function scalarTest(
  ctx: CompileContext,
  v: Scalar,
  type: ValueType,
  op: Operator,
  value: string,
  attribute: string,
): string {
  const { flavor: f, params } = ctx;
  const text = (s: string) => f.param(params.add(s), "text");
  const num = (n: number) => f.param(params.add(n), "numeric");
  switch (op) {
    case "IS_NULL":
      return v.absent;
    case "NOT_NULL":
      return `NOT ${v.absent}`;
    case "NOT_EMPTY":
      return type.kind === "string" || type.kind === "enum"
        ? `(NOT ${v.absent} AND COALESCE(${v.text}, '') <> '')`
        : `NOT ${v.absent}`;
  }
  if (type.kind === "boolean") {
    if (op !== "EQ" && op !== "NEQ") unsupported(op, type, attribute);
    const b = value.trim().toLowerCase();
    if (b !== "true" && b !== "false")
      invalidSearch(`${attribute}: expected true or false, got ${JSON.stringify(value)}`);
    return `${v.bool} ${COMPARE[op]} ${text(b)}`;
  }
  if (type.kind === "number" || type.kind === "date") {
    const compare = COMPARE[op];
    if (compare) return `${v.number} ${compare} ${num(numberValue(type, value, attribute))}`;
    if (op === "IN") {
      const items = listItems(value).map((s) => numberValue(type, s, attribute));
      return `${v.number} IN (${f.jsonList(params.add(JSON.stringify(items)), "numeric")})`;
    }
    if (op === "TIME_RANGE") {
      const [from, to] = timeRange(value, ctx.now, attribute);
      return `(${v.number} >= ${num(from)} AND ${v.number} <= ${num(to)})`;
    }
    return unsupported(op, type, attribute);
  }
  // Strings and enums. Equality is exact; the pattern operators ignore case, as Atlas's index does.
  const compare = COMPARE[op];
  if (compare) {
    if (op === "EQ" || op === "NEQ") checkEnum(type, value, attribute);
    if (op === "EQ" && v.lowerIndexed) {
      if (ctx.required !== false) ctx.nameIndexed = true;
      return `(${byLowerIndex(v.text, text(value), f.bytewise)})`;
    }
    return `${v.text} ${compare} ${text(value)}`;
  }
  const like = (pattern: string) => `lower(${v.text}) LIKE ${text(pattern)} ESCAPE '\\'`;
  switch (op) {
    case "IN": {
      const items = listItems(value);
      for (const item of items) checkEnum(type, item, attribute);
      const list = params.add(JSON.stringify(items));
      const exact = `${v.text} IN (${f.jsonList(list, "text")})`;
      if (!v.lowerIndexed) return exact;
      if (ctx.required !== false) ctx.nameIndexed = true;
      return `(${f.lowerInList(v.text, list)} AND ${exact})`;
    }
    case "LIKE":
      return like(wildcard(value));
    case "STARTS_WITH":
      return v.lowerIndexed
        ? `(${prefixRange(ctx, v.text, value.toLowerCase())}${like(`${literalLike(value)}%`)})`
        : like(`${literalLike(value)}%`);
    case "ENDS_WITH":
      return like(`%${literalLike(value)}`);
    case "CONTAINS":
      return like(`%${literalLike(value)}%`);
    case "NOT_CONTAINS":
      return `(${v.text} IS NULL OR NOT ${like(`%${literalLike(value)}%`)})`;
  }
  return unsupported(op, type, attribute);
}

/** One test on a list attribute: true when an element passes (EQ, CONTAINS, …), none does (NEQ, NOT_CONTAINS), all items are there (CONTAINS_ALL). */
function listTest(
  ctx: CompileContext,
  list: ListSource,
  type: ValueType,
  op: Operator,
  value: string,
  attribute: string,
): string {
  const some = (condition: string) => `EXISTS (SELECT 1 FROM ${list.from} WHERE ${condition})`;
  const element = (o: Operator, v: string) => scalarTest(ctx, list.element, type, o, v, attribute);
  switch (op) {
    case "IS_NULL":
      return `NOT ${some("1 = 1")}`;
    case "NOT_NULL":
    case "NOT_EMPTY":
      return some("1 = 1");
    case "NEQ":
      return `NOT ${some(element("EQ", value))}`;
    case "NOT_CONTAINS":
      return `NOT ${some(element("CONTAINS", value))}`;
    case "CONTAINS_ANY":
    case "IN":
      return some(element("IN", value));
    case "CONTAINS_ALL": {
      const items = listItems(value);
      if (items.length === 0) invalidSearch(`${attribute}: containsAll needs values`);
      return `(${items.map((item) => some(element("EQ", item))).join(" AND ")})`;
    }
    default:
      return some(element(op, value));
  }
}

/** `__customAttributes`: `key` (the key is set) or `key=value` (it has that value). */
function entriesTest(
  ctx: CompileContext,
  source: Extract<Resolved, { shape: "entries" }>,
  op: Operator,
  value: string,
  attribute: string,
): string {
  const text = (s: string) => ctx.flavor.param(ctx.params.add(s), "text");
  switch (op) {
    case "IS_NULL":
      return source.empty;
    case "NOT_NULL":
    case "NOT_EMPTY":
      return `NOT ${source.empty}`;
    case "CONTAINS":
    case "EQ":
    case "NOT_CONTAINS":
    case "NEQ": {
      const at = value.indexOf("=");
      const key = at < 0 ? value.trim() : value.slice(0, at).trim();
      const condition =
        at < 0
          ? `ca.key = ${text(key)}`
          : `ca.key = ${text(key)} AND ca.value = ${text(value.slice(at + 1).trim())}`;
      const exists = `EXISTS (SELECT 1 FROM ${source.from} WHERE ${condition})`;
      return op === "CONTAINS" || op === "EQ" ? exists : `NOT ${exists}`;
    }
  }
  return invalidSearch(
    `operator ${op} does not apply to ${attribute}; use contains "key" or "key=value", isNull or notNull`,
    ATLAS_ERRORS.INVALID_OPERATOR.code,
  );
}

/** The SQL condition of a criterion tree over `target`. */
export function compileCriterion(ctx: CompileContext, target: Target, c: Criterion): string {
  if (c.kind === "group") {
    const required = ctx.required;
    ctx.required = required !== false && c.condition === "AND";
    const parts = c.criteria.map((child) => compileCriterion(ctx, target, child));
    ctx.required = required;
    return `(${parts.join(c.condition === "AND" ? " AND " : " OR ")})`;
  }
  const resolved = target.resolve(c.attribute, ctx.aliases, ctx.params);
  if (resolved.shape === "entries")
    return entriesTest(ctx, resolved, c.operator, c.value, c.attribute);
  if (resolved.shape === "list")
    return listTest(ctx, resolved.list, resolved.type, c.operator, c.value, c.attribute);
  if (c.operator === "CONTAINS_ANY" || c.operator === "CONTAINS_ALL")
    return scalarTest(
      ctx,
      resolved.value,
      resolved.type,
      c.operator === "CONTAINS_ANY" ? "IN" : unsupported(c.operator, resolved.type, c.attribute),
      c.value,
      c.attribute,
    );
  return scalarTest(ctx, resolved.value, resolved.type, c.operator, c.value, c.attribute);
}
