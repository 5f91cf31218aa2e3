/**
 * SQLite: the rows a write transaction appends to the store's logs (APPEND_ONLY_TABLES: the
 * write log, hook positions, audit events) are gathered and inserted together, as multi-row
 * INSERTs, instead of one statement each. A batch of 200 hook messages appends 600 such rows;
 * in a multi-row INSERT a row costs SQLite ~1 µs less than alone (docs/decisions.md, "SQLite:
 * a write's log rows go in together": ~4% of the store's CPU per hook message).
 *
 * Each 64 rows of one statement go in at once, as they are gathered: held until the commit, a
 * batch's rows (audit events carry the entity's JSON) outlived the young generation's
 * scavenges and were promoted, ~12 MB more heap. The rest are written before any statement
 * that names one of those tables (so what it reads or changes sees them) and before the
 * transaction commits; a rollback drops them with the rest. The transaction's outcome is the
 * same as with one INSERT each.
 */
import type Database from "better-sqlite3";
import { APPEND_ONLY_TABLES } from "./schema.js";
import { ONE_ROW_INSERT, oneRowInsertParts } from "./sql.js";

/** Rows of one INSERT go in statements of 64, 32, … 1 rows: a few statement texts per table. */
const MAX_ROWS_PER_STATEMENT = 64;

const NAMES_APPEND_ONLY = new RegExp(`\\b(${APPEND_ONLY_TABLES.join("|")})\\b`, "i");

/** What a statement text is to the gathering, worked out once per text. */
export interface AppendKind {
  /** A one-row INSERT into an append-only table: its rows are gathered. */
  gathered: boolean;
  /** It names an append-only table: the gathered rows are written before it runs. */
  namesAppendOnly: boolean;
}

export function appendKind(sql: string): AppendKind {
  const namesAppendOnly = NAMES_APPEND_ONLY.test(sql);
  return { gathered: namesAppendOnly && ONE_ROW_INSERT.test(sql), namesAppendOnly };
}

/** The positional text of a one-row INSERT as n rows: its `(…)` of values repeated. */
function multiRowText(text: string, rows: number): string {
  const { head, row } = oneRowInsertParts(text);
  return `${head}${Array.from({ length: rows }, () => row).join(", ")}`;
}

interface Gathered {
  /** The one-row statement's positional text (`?` parameters) and its parameters per row. */
  text: string;
  perRow: number;
  rows: number;
  /** Every gathered row's values, one after the other. */
  values: unknown[];
}

export class AppendedRows {
  readonly #db: Database.Database;
  /** Statement text (as the store wrote it) → its gathered rows, in the order sent. */
  readonly #gathered = new Map<string, Gathered>();
  /** One-row positional text and row count → the prepared multi-row statement. */
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get size(): number {
    return this.#gathered.size;
  }

  /** Gathers one row of the one-row INSERT `sql` (positional `text`, `values` in order). */
  add(sql: string, text: string, values: readonly unknown[]): void {
    let gathered = this.#gathered.get(sql);
    if (!gathered) {
      gathered = { text, perRow: values.length, rows: 0, values: [] };
      this.#gathered.set(sql, gathered);
    }
    gathered.rows += 1;
    for (const value of values) gathered.values.push(value);
    // A full statement's worth goes in at once: rows held until the commit would outlive the
    // young generation's scavenges (a batch takes ~15 ms) and be promoted, growing the heap.
    if (gathered.rows === MAX_ROWS_PER_STATEMENT) {
      this.#gathered.delete(sql);
      this.#statement(text, gathered.rows).run(...gathered.values);
    }
  }

  /** Inserts every gathered row, in the order gathered per statement; none is left gathered. */
  write(): void {
    const all = [...this.#gathered.values()];
    this.#gathered.clear();
    for (const { text, perRow, rows, values } of all) {
      for (let at = 0; at < rows;) {
        let n = MAX_ROWS_PER_STATEMENT;
        while (n > rows - at) n >>= 1;
        this.#statement(text, n).run(...values.slice(at * perRow, (at + n) * perRow));
        at += n;
      }
    }
  }

  /** Drops the gathered rows (the transaction rolls back). */
  clear(): void {
    this.#gathered.clear();
  }

  #statement(text: string, rows: number): Database.Statement {
    const key = `${rows}:${text}`;
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = this.#db.prepare(multiRowText(text, rows));
      this.#statements.set(key, statement);
    }
    return statement;
  }
}
