/**
 * The tokens of Atlas's DSL (repository/.../query/antlr4/AtlasDSLLexer.g4): keywords in any
 * case, identifiers (letters, digits, `_`; a keyword inside a longer word is part of it),
 * strings in "", '' or `` (no escapes, as Atlas), numbers, booleans, operators, `--` and
 * `/* *\/` comments.
 */
import { dslError } from "./errors.js";

export type TokenKind = "id" | "string" | "number" | "bool" | "op" | "keyword" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  /** Keywords and boolean values in lower case; strings without their quotes. */
  text: string;
  at: number;
}

const KEYWORDS = new Set([
  "like",
  "and",
  "or",
  "lt",
  "lte",
  "eq",
  "neq",
  "gt",
  "gte",
  "from",
  "where",
  "orderby",
  "groupby",
  "limit",
  "select",
  "max",
  "min",
  "sum",
  "count",
  "offset",
  "as",
  "isa",
  "is",
  "has",
  "asc",
  "desc",
  "hasterm",
]);
const WORD_OPERATORS: Record<string, string> = {
  lt: "<",
  lte: "<=",
  eq: "=",
  neq: "!=",
  gt: ">",
  gte: ">=",
  like: "like",
};

/** Most tokens one query may have: bounds the parser's work on hostile input. */
export const MAX_TOKENS = 1000;

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, text: string, at: number) => {
    if (tokens.length >= MAX_TOKENS) dslError(query, `more than ${MAX_TOKENS} tokens`);
    tokens.push({ kind, text, at });
  };
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (query.startsWith("--", i)) {
      const end = query.indexOf("\n", i);
      i = end < 0 ? query.length : end;
    } else if (query.startsWith("/*", i)) {
      const end = query.indexOf("*/", i + 2);
      i = end < 0 ? query.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      const end = query.indexOf(c, i + 1);
      if (end < 0) dslError(query, `unterminated string at ${i}`);
      push("string", query.slice(i + 1, end), i);
      i = end + 1;
    } else if (
      /[0-9]/.test(c) ||
      (/[+-]/.test(c) && /[0-9]/.test(query[i + 1] ?? "") && numberMayStart(tokens))
    ) {
      const m = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(query.slice(i))!;
      push("number", m[0], i);
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i))!;
      const word = m[0];
      const lower = word.toLowerCase();
      if (lower === "true" || lower === "false") push("bool", lower, i);
      else if (WORD_OPERATORS[lower]) push("op", WORD_OPERATORS[lower], i);
      else if (KEYWORDS.has(lower)) push("keyword", lower, i);
      else push("id", word, i);
      i += word.length;
    } else {
      const two = query.slice(i, i + 2);
      if (two === "<=" || two === ">=" || two === "!=") {
        push("op", two, i);
        i += 2;
      } else if (c === "<" || c === ">" || c === "=") {
        push("op", c, i);
        i++;
      } else if ("(),[].*/+-".includes(c)) {
        push("punct", c, i);
        i++;
      } else {
        dslError(query, `unexpected character ${JSON.stringify(c)} at ${i}`);
      }
    }
  }
  tokens.push({ kind: "end", text: "", at: query.length });
  return tokens;
}

/** A sign starts a number only where a value is expected (after an operator, `(`, `,`, `[`). */
function numberMayStart(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  return !last || last.kind === "op" || (last.kind === "punct" && "([,".includes(last.text));
}
