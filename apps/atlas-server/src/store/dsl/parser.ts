/**
 * A recursive-descent parser for the part of Atlas's DSL (AtlasDSLParser.g4) this server runs:
 *
 *   query   := [from] source [[as] alias] clause* [groupby "(" items ")"] [select items]
 *              [orderby attr [asc|desc]] [limit n [offset m]]
 *   clause  := where expr | (isa | is) Classification | has attr
 *   expr    := and-expr (or and-expr)*          -- AND binds tighter than OR
 *   and-expr:= atom (and atom)*
 *   atom    := "(" expr ")" | attr op literal | ref (isa | is) Classification | ref has attr
 *   op      := = != < <= > >= like (and eq neq lt lte gt gte)
 *   literal := "string" | number | true | false | identifier | "[" literal, … "]"
 *   items   := item ("," item)*;  item := attr | count() | max(attr) | min(attr) | sum(attr) [as label]
 *
 * What the grammar has beyond this (several sources, arithmetic, references across
 * relationships `db.name`, hasTerm) is refused with Atlas's INVALID_DSL_QUERY, never guessed.
 */
import { dslError } from "./errors.js";
import { tokenize, type Token } from "./lexer.js";

export type DslValue =
  { kind: "string" | "number" | "bool"; text: string } | { kind: "list"; items: string[] };

export type DslExpr =
  | { kind: "and" | "or"; parts: DslExpr[] }
  | { kind: "compare"; attribute: string; op: string; value: DslValue }
  | { kind: "isa"; classification: string }
  | { kind: "has"; attribute: string };

export type DslSelectItem =
  | { kind: "attribute"; attribute: string; label: string }
  | { kind: "count"; label: string }
  | { kind: "max" | "min" | "sum"; attribute: string; label: string };

export interface DslQuery {
  source: string;
  where: DslExpr[];
  groupBy?: DslSelectItem[];
  select?: DslSelectItem[];
  orderBy?: { attribute: string; descending: boolean };
  limit?: number;
  offset?: number;
}

/** Deepest nesting of parentheses accepted. */
export const MAX_DSL_DEPTH = 16;

export function parseDsl(query: string): DslQuery {
  const tokens = tokenize(query);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const fail = (reason: string): never => dslError(query, reason);
  const describe = (t: Token) =>
    t.kind === "end" ? "the end of the query" : `"${t.text}" at ${t.at}`;
  const isKeyword = (word: string) => peek().kind === "keyword" && peek().text === word;
  const accept = (word: string): boolean => {
    if (!isKeyword(word)) return false;
    pos++;
    return true;
  };
  const punct = (c: string): boolean => {
    if (peek().kind !== "punct" || peek().text !== c) return false;
    pos++;
    return true;
  };
  const expectPunct = (c: string) => {
    if (!punct(c)) fail(`expected "${c}" but found ${describe(peek())}`);
  };
  const name = (what: string): string => {
    const t = next();
    if (t.kind === "id" || t.kind === "string") return t.text;
    return fail(`expected ${what} but found ${describe(t)}`);
  };

  accept("from");
  const source = name("a type or classification name");
  if (punct(",")) fail("several sources in one query are not supported");
  let alias: string | undefined;
  if (accept("as")) alias = name("an alias");

  /** An attribute reference: `attr`, or `alias.attr` / `Source.attr`. */
  const attribute = (): string => {
    const first = name("an attribute");
    if (!punct(".")) return first;
    const second = name("an attribute");
    if (first !== alias && first !== source)
      fail(`${first}.${second}: references across relationships are not supported`);
    return second;
  };
  const isSource = (word: string) => word === source || word === alias;

  const literal = (): DslValue => {
    const t = next();
    if (t.kind === "string" || t.kind === "id") return { kind: "string", text: t.text };
    if (t.kind === "number") return { kind: "number", text: t.text };
    if (t.kind === "bool") return { kind: "bool", text: t.text };
    if (t.kind === "punct" && t.text === "[") {
      const items: string[] = [];
      do {
        const item = next();
        if (!["string", "id", "number", "bool"].includes(item.kind))
          fail(`expected a value in the list but found ${describe(item)}`);
        items.push(item.text);
      } while (punct(","));
      expectPunct("]");
      return { kind: "list", items };
    }
    return fail(`expected a value but found ${describe(t)}`);
  };

  const atom = (depth: number): DslExpr => {
    if (depth > MAX_DSL_DEPTH) fail(`expressions nest at most ${MAX_DSL_DEPTH} levels deep`);
    if (punct("(")) {
      const inner = expr(depth + 1);
      expectPunct(")");
      return inner;
    }
    const t = peek();
    if (t.kind === "keyword" && ["count", "max", "min", "sum", "hasterm"].includes(t.text))
      fail(`${t.text} is not supported in a where clause`);
    const left = attribute();
    if (accept("isa") || accept("is")) {
      if (!isSource(left))
        fail(`${left} isa …: only the query's source can be tested for a classification`);
      return { kind: "isa", classification: name("a classification") };
    }
    if (accept("has")) {
      if (!isSource(left)) fail(`${left} has …: only the query's source has attributes`);
      return { kind: "has", attribute: name("an attribute") };
    }
    if (isKeyword("hasterm"))
      fail("hasTerm needs the glossary, which this server does not serve yet");
    const op = next();
    if (op.kind !== "op")
      fail(
        op.kind === "punct" && "+-*/".includes(op.text)
          ? "arithmetic is not supported"
          : `expected a comparison after ${left} but found ${describe(op)}`,
      );
    const value = literal();
    if (peek().kind === "punct" && "+-*/".includes(peek().text))
      fail("arithmetic is not supported");
    return { kind: "compare", attribute: left, op: op.text, value };
  };

  const chain = (kind: "and" | "or", part: () => DslExpr): DslExpr => {
    const parts = [part()];
    while (accept(kind)) parts.push(part());
    return parts.length === 1 ? parts[0]! : { kind, parts };
  };
  const expr = (depth: number): DslExpr => chain("or", () => chain("and", () => atom(depth)));

  const where: DslExpr[] = [];
  for (;;) {
    if (accept("where")) where.push(expr(1));
    else if (accept("isa") || accept("is"))
      where.push({ kind: "isa", classification: name("a classification") });
    else if (accept("has")) where.push({ kind: "has", attribute: name("an attribute") });
    else break;
  }

  const items = (): DslSelectItem[] => {
    const out: DslSelectItem[] = [];
    do {
      let item: DslSelectItem;
      const t = peek();
      if (t.kind === "keyword" && t.text === "count") {
        pos++;
        expectPunct("(");
        expectPunct(")");
        item = { kind: "count", label: "count()" };
      } else if (
        t.kind === "keyword" &&
        (t.text === "max" || t.text === "min" || t.text === "sum")
      ) {
        pos++;
        expectPunct("(");
        const a = attribute();
        expectPunct(")");
        item = { kind: t.text, attribute: a, label: `${t.text}(${a})` };
      } else {
        const a = attribute();
        item = { kind: "attribute", attribute: a, label: a };
      }
      if (accept("as")) item.label = name("a label");
      out.push(item);
    } while (punct(","));
    return out;
  };

  const result: DslQuery = { source, where };
  if (accept("groupby")) {
    expectPunct("(");
    result.groupBy = items();
    expectPunct(")");
  }
  if (accept("select")) result.select = items();
  if (accept("orderby")) {
    const a = attribute();
    const descending = accept("desc");
    if (!descending) accept("asc");
    result.orderBy = { attribute: a, descending };
  }
  const count = (what: string): number => {
    const t = next();
    if (t.kind !== "number" || !/^\d{1,9}$/.test(t.text))
      fail(`${what} expects a whole number but found ${describe(t)}`);
    return Number(t.text);
  };
  if (accept("limit")) {
    result.limit = count("limit");
    if (accept("offset")) result.offset = count("offset");
  } else if (isKeyword("offset")) fail("offset needs a limit before it");
  if (peek().kind !== "end") fail(`unexpected ${describe(peek())}`);
  return result;
}
