/**
 * The seam between the store's logic and a database. A backend gives transactions and a
 * runner for the SQL of schema.ts in its dialect (`@name` parameters); everything here —
 * parameter objects, row mapping, the data-access methods — is shared, so the two backends
 * differ in dialect and connection handling only.
 */
import type { AtlasClassification, JsonValue } from "@atlas-ha/atlas-model";
import type { AnyTypeDef, TypeCategory } from "../models/typedefs.js";
import { jsonContainer, type EntityJsonColumns, type EntityRecord } from "./entities.js";
import { PropagationTx, type PropagationSql } from "./propagation-sql.js";
import type { RelationshipRecord } from "./relationships.js";
import type { HookPosition, WriteRecord } from "./types.js";

export type SqlParams = Record<string, string | number | null>;
export type SqlRow = Record<string, unknown>;

/** Runs a backend's SQL inside the current transaction. */
export interface SqlRunner {
  all(sql: string, params?: SqlParams): Promise<SqlRow[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /**
   * A write whose answer is not needed. PostgreSQL sends it without waiting (pipelined): it
   * travels with the next statement, and its error, if any, is thrown by the next statement
   * or the commit of the same transaction — so the transaction still fails as a whole.
   */
  send(sql: string, params?: SqlParams): Promise<void>;
}

/** A versioned schema step; applied once, in order, recorded in the migrations table. */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/** Every statement the store runs (schema.ts). Parameters are `@name`; list parameters are JSON arrays. */
export interface StoreSql {
  createMigrationsTable: string;
  selectMigrations: string;
  insertMigration: string;

  /** @epoch, @count → one row {write_seq (the last of @count new seqs), typedefs_version} when not fenced (and raises the highest epoch), none when fenced. */
  claimWrite: string;
  selectMeta: string;
  bumpTypedefsVersion: string;
  insertWrite: string;
  /** @from → one row {write_seq} when highest_epoch was @from (now 0), none otherwise. */
  rebaseEpoch: string;
  selectWrites: string;

  selectEntity: string;
  /** @types (JSON list), @excludeDeleted, @limit, @offset → entities of those types in creation order. */
  selectEntitiesOfTypes: string;
  selectEntities: string;
  /** @types (JSON list), @qualifiedName → the ACTIVE entity of any of those types with that name. */
  selectActiveByUnique: string;
  /** @typeName, @qualifiedName: the same for one type (a list of one costs ~10× more on SQLite). */
  selectActiveByUniqueOfType: string;
  /** @types, @qualifiedNames (JSON lists) → the ACTIVE entities of any of those types with any of those names. */
  selectActiveByUniques: string;
  selectLatestByUnique: string;
  selectLatestByUniqueOfType: string;
  insertEntity: string;
  updateEntity: string;

  selectRelationship: string;
  /** @guids, @types (null: any), @activeOnly → the relationships with end 1 (end 2) among @guids. */
  selectRelationshipsByEnd1: string;
  selectRelationshipsByEnd2: string;
  insertRelationship: string;
  updateRelationship: string;

  selectHookOffset: string;
  /** @topic, @partition, @from, @to → the applied offsets of that partition in [from, to]. */
  selectHookOffsetsBetween: string;
  insertHookOffset: string;

  selectTypedefs: string;
  insertTypedef: string;
  /** @name, @definition: a new definition of a stored typedef; its row keeps its place. */
  updateTypedef: string;
  deleteTypedef: string;
  /**
   * @typeName, @pattern (LIKE, `\` escape) → a row when an entity of the type exists (any
   * status, shells too) or an entity's JSON names it as a `typeName` (classifications, struct
   * values, references) or a `relationshipType` (@relPattern), a key of its business
   * attributes (@keyPattern), or a relationship of the type exists (any status).
   */
  selectTypeInUse: string;

  /** Classification propagation (propagation-sql.ts). */
  propagation: PropagationSql;
}

export interface WriteOptions {
  /**
   * false: the commit may reach the disk only at the next `sync()` (a group commit for hook
   * messages, whose Kafka offsets are committed after that sync). A crash of the process loses
   * nothing; a power loss may lose what was committed since the last sync. Default true.
   */
  durable?: boolean;
  /**
   * How long to wait for the write lock before StoreBusyError. The wait never blocks the
   * event loop (SQLite is polled; PostgreSQL gets a lock_timeout). Default: the backend's.
   */
  lockWaitMs?: number;
}

/** What a backend provides; the store (store.ts) does the rest. */
export interface SqlBackend {
  readonly kind: "sqlite" | "postgres";
  readonly sql: StoreSql;
  readonly migrations: Migration[];
  /** A read-only transaction with one consistent snapshot. */
  read<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T>;
  /**
   * A write transaction. Writes are serialized across instances by the fence row that
   * claimWrite updates first (SQLite: BEGIN IMMEDIATE already holds the write lock).
   */
  write<T>(fn: (db: SqlRunner) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** Makes every write committed so far durable (after writes with `durable: false`). */
  sync(): Promise<void>;
  /** A transaction no other instance's `exclusive` runs beside (migrations). */
  exclusive<T>(fn: (db: SqlRunner) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoredTypedef {
  category: TypeCategory;
  def: AnyTypeDef;
}

function num(value: unknown): number {
  // pg returns BIGINT as a string; the values here (epochs, seqs, epoch ms) fit a double.
  return typeof value === "number" ? value : Number(value);
}

function str(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return value.toString();
  return JSON.stringify(value);
}

function json<T>(value: unknown): T {
  // SQLite keeps JSON as text; pg parses json columns itself.
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** An entities row as the store's record (JSON columns parsed). */
export function toRecord(row: SqlRow): EntityRecord {
  return {
    guid: String(row.guid),
    typeName: String(row.type_name),
    qualifiedName: str(row.qualified_name),
    name: str(row.name),
    status: row.status === "DELETED" ? "DELETED" : "ACTIVE",
    version: num(row.version),
    isIncomplete: num(row.is_incomplete) === 1,
    attributes: json<Record<string, JsonValue>>(row.attributes),
    relationshipAttributes: json<Record<string, JsonValue>>(row.relationship_attributes),
    classifications: json<AtlasClassification[]>(row.classifications),
    labels: json<string[]>(row.labels),
    customAttributes: json<Record<string, string>>(row.custom_attributes),
    businessAttributes: json<Record<string, Record<string, JsonValue>>>(row.business_attributes),
    createdBy: String(row.created_by),
    updatedBy: String(row.updated_by),
    createTime: num(row.create_time),
    updateTime: num(row.update_time),
    writeEpoch: num(row.write_epoch),
    writeSeq: num(row.write_seq),
    createSeq: num(row.create_seq),
  };
}

function toRelationship(row: SqlRow): RelationshipRecord {
  return {
    guid: String(row.guid),
    typeName: String(row.type_name),
    status: row.status === "DELETED" ? "DELETED" : "ACTIVE",
    end1Guid: String(row.end1_guid),
    end2Guid: String(row.end2_guid),
    attributes: json<Record<string, JsonValue>>(row.attributes),
    version: num(row.version),
    createdBy: String(row.created_by),
    updatedBy: String(row.updated_by),
    createTime: num(row.create_time),
    updateTime: num(row.update_time),
    writeEpoch: num(row.write_epoch),
    writeSeq: num(row.write_seq),
    createSeq: num(row.create_seq),
    createOrd: num(row.create_ord),
  };
}

function relationshipParams(r: RelationshipRecord): SqlParams {
  return { ...r, attributes: JSON.stringify(r.attributes) };
}

/** Which relationships a query over ends returns. */
export interface RelationshipFilter {
  /** Only these relationship types; default any. */
  types?: readonly string[];
  /** Only ACTIVE relationships; default false (DELETED ones too). */
  activeOnly?: boolean;
}

function recordParams(record: EntityRecord, createOrd = 0): SqlParams & EntityJsonColumns {
  return {
    guid: record.guid,
    typeName: record.typeName,
    qualifiedName: record.qualifiedName,
    name: record.name,
    status: record.status,
    version: record.version,
    isIncomplete: record.isIncomplete ? 1 : 0,
    attributes: jsonContainer(record.attributes),
    relationshipAttributes: jsonContainer(record.relationshipAttributes),
    classifications: jsonContainer(record.classifications),
    labels: jsonContainer(record.labels),
    customAttributes: jsonContainer(record.customAttributes),
    businessAttributes: jsonContainer(record.businessAttributes),
    createdBy: record.createdBy,
    updatedBy: record.updatedBy,
    createTime: record.createTime,
    updateTime: record.updateTime,
    writeEpoch: record.writeEpoch,
    writeSeq: record.writeSeq,
    createSeq: record.createSeq,
    createOrd,
  };
}

/** A one-row `INSERT INTO … VALUES (…)` with nothing after it: a backend may send its rows together. */
export const ONE_ROW_INSERT = /^\s*INSERT INTO [^;]*VALUES\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$/i;

/** A one-row INSERT (ONE_ROW_INSERT) as its head (`INSERT INTO t (…) VALUES `) and its `(…)` of values. */
export function oneRowInsertParts(text: string): { head: string; row: string } {
  const open = text.indexOf("(", text.search(/VALUES\s*\(/i));
  return { head: text.slice(0, open), row: text.slice(open).trim() };
}

/**
 * The store's SQL names its parameters `@name` (no `@` occurs in its literals). Each backend
 * binds by position: `placeholder` says what stands in for the parameter at `index` of the
 * returned `names`; with `once`, a name used twice keeps one index (PostgreSQL's `$n`),
 * without, each use has its own (SQLite's anonymous `?`).
 */
export function positionalParameters(
  sql: string,
  placeholder: (index: number) => string,
  once = false,
): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    let index = once ? names.indexOf(name) : -1;
    if (index < 0) index = names.push(name) - 1;
    return placeholder(index);
  });
  return { text, names };
}

/**
 * A lookup by a list of types, or by one: the statement for one type compares `type_name`
 * directly, where the list's expands a JSON list (and sorts) — 35 against 3.8 µs per lookup on
 * a 45,000-entity SQLite store, and most lookups name one type (an entity's own in a create).
 */
function byTypes(
  ofTypes: string,
  ofType: string,
  typeNames: readonly string[],
  qualifiedName: string,
): [string, SqlParams] {
  return typeNames.length === 1
    ? [ofType, { qualifiedName, typeName: typeNames[0]! }]
    : [ofTypes, { qualifiedName, types: JSON.stringify(typeNames) }];
}

/** recordParams() back into a record of its own (its JSON columns parsed). */
function paramsRecord(row: SqlParams): EntityRecord {
  const text = (name: string) => JSON.parse(row[name] as string) as never;
  return {
    guid: row.guid as string,
    typeName: row.typeName as string,
    qualifiedName: row.qualifiedName as string | null,
    name: row.name as string | null,
    status: row.status === "DELETED" ? "DELETED" : "ACTIVE",
    version: row.version as number,
    isIncomplete: row.isIncomplete === 1,
    attributes: text("attributes"),
    relationshipAttributes: text("relationshipAttributes"),
    classifications: text("classifications"),
    labels: text("labels"),
    customAttributes: text("customAttributes"),
    businessAttributes: text("businessAttributes"),
    createdBy: row.createdBy as string,
    updatedBy: row.updatedBy as string,
    createTime: row.createTime as number,
    updateTime: row.updateTime as number,
    writeEpoch: row.writeEpoch as number,
    writeSeq: row.writeSeq as number,
    createSeq: row.createSeq as number,
  };
}

/** A type + qualifiedName as a key of SqlTx's unique cache. */
const uniqueKey = (typeName: string, qualifiedName: string) => `${typeName}\u0000${qualifiedName}`;

/** One lookup of an ACTIVE entity by unique attribute: any of `typeNames`, that qualifiedName. */
export interface UniqueLookup {
  typeNames: readonly string[];
  qualifiedName: string;
}

/** The store's data access inside one transaction, over any backend's SQL. */
export class SqlTx {
  readonly #sql: StoreSql;
  readonly #db: SqlRunner;
  /**
   * type + qualifiedName → the ACTIVE entity that holds it (its row as written: the parameters
   * of its INSERT or UPDATE, JSON columns as text, so no copy of its own) or null (none),
   * as this transaction stands: filled by prefetchUnique(), kept current by this transaction's
   * insertEntity/updateEntity (the only writers of entity rows), read by activeByUnique(). A
   * key it does not have is looked up in the database as before.
   */
  readonly #unique = new Map<string, { guid: string; row: SqlParams } | null>();
  /** guid → the key of #unique that entity holds. */
  readonly #holds = new Map<string, string>();

  constructor(sql: StoreSql, db: SqlRunner) {
    this.#sql = sql;
    this.#db = db;
  }

  /** The transaction's runner, for the statements the store's own modules keep (audit.ts, saved-searches.ts). */
  get runner(): SqlRunner {
    return this.#db;
  }

  /**
   * The fence check and the write's place in the write order, in one statement on the single
   * meta row: it raises the highest epoch to `epoch` and takes the next seq, or changes
   * nothing when a higher epoch was seen. The row stays locked until the transaction ends.
   * `count` seqs at once (the first is returned) for that many writes in this transaction.
   */
  async claimWrite(
    epoch: number,
    count = 1,
  ): Promise<{ seq: number; typedefsVersion: number } | { fencedBy: number }> {
    const [row] = await this.#db.all(this.#sql.claimWrite, { epoch, count });
    if (row)
      return { seq: num(row.write_seq) - count + 1, typedefsVersion: num(row.typedefs_version) };
    return { fencedBy: (await this.meta()).highestEpoch };
  }

  async meta(): Promise<{ highestEpoch: number; writeSeq: number; typedefsVersion: number }> {
    const [row] = await this.#db.all(this.#sql.selectMeta);
    if (!row) throw new Error("the store is not migrated: call migrate() first");
    return {
      highestEpoch: num(row.highest_epoch),
      writeSeq: num(row.write_seq),
      typedefsVersion: num(row.typedefs_version),
    };
  }

  /** Sets the highest epoch back to 0 if it is still `from`; the write's seq, or null when it moved. */
  async rebaseEpoch(from: number): Promise<number | null> {
    const [row] = await this.#db.all(this.#sql.rebaseEpoch, { from });
    return row ? num(row.write_seq) : null;
  }

  async bumpTypedefsVersion(): Promise<void> {
    await this.#db.run(this.#sql.bumpTypedefsVersion);
  }

  async insertWrite(write: WriteRecord): Promise<void> {
    await this.#db.send(this.#sql.insertWrite, { ...write });
  }

  async writes(afterSeq: number, limit: number): Promise<WriteRecord[]> {
    const rows = await this.#db.all(this.#sql.selectWrites, { afterSeq, limit });
    return rows.map((r) => ({
      seq: num(r.seq),
      epoch: num(r.epoch),
      operation: String(r.operation),
      user: String(r.user_name),
      at: num(r.at),
      changed: num(r.changed),
    }));
  }

  async entity(guid: string): Promise<EntityRecord | undefined> {
    const [row] = await this.#db.all(this.#sql.selectEntity, { guid });
    return row ? toRecord(row) : undefined;
  }

  /** The entities of `typeNames`, in creation order, a page at a time (the glossary's lists). */
  async entitiesOfTypes(
    typeNames: readonly string[],
    page: { excludeDeleted: boolean; limit: number; offset: number },
  ): Promise<EntityRecord[]> {
    const rows = await this.#db.all(this.#sql.selectEntitiesOfTypes, {
      types: JSON.stringify(typeNames),
      excludeDeleted: page.excludeDeleted ? 1 : 0,
      limit: page.limit,
      offset: page.offset,
    });
    return rows.map(toRecord);
  }

  async entities(guids: string[]): Promise<EntityRecord[]> {
    if (guids.length === 0) return [];
    return (await this.#db.all(this.#sql.selectEntities, { guids: JSON.stringify(guids) })).map(
      toRecord,
    );
  }

  /**
   * Reads in ONE query which of `lookups` have an ACTIVE entity, for activeByUnique() to answer
   * them without a round trip each (a batch of hook messages on PostgreSQL). What this
   * transaction writes afterwards is kept in the answers.
   */
  async prefetchUnique(lookups: Iterable<UniqueLookup>): Promise<void> {
    const wanted = new Set<string>();
    const types = new Set<string>();
    const names = new Set<string>();
    for (const { typeNames, qualifiedName } of lookups) {
      for (const typeName of typeNames) {
        const key = uniqueKey(typeName, qualifiedName);
        if (this.#unique.has(key)) continue;
        wanted.add(key);
        types.add(typeName);
        names.add(qualifiedName);
      }
    }
    if (wanted.size === 0) return;
    const rows = await this.#db.all(this.#sql.selectActiveByUniques, {
      types: JSON.stringify([...types]),
      qualifiedNames: JSON.stringify([...names]),
    });
    for (const key of wanted) this.#unique.set(key, null);
    for (const row of rows) {
      const record = toRecord(row);
      this.#hold(record, recordParams(record));
    }
  }

  /** Keeps #unique current after `record` was written (as `row`) in this transaction. */
  #hold(record: EntityRecord, row: SqlParams): void {
    const before = this.#holds.get(record.guid);
    if (before !== undefined) {
      // At most one ACTIVE entity holds a name (a unique index): now none does.
      this.#unique.set(before, null);
      this.#holds.delete(record.guid);
    }
    if (record.status !== "ACTIVE" || record.qualifiedName === null) return;
    const key = uniqueKey(record.typeName, record.qualifiedName);
    const known = this.#unique.get(key);
    if (known === undefined) return;
    if (known === null || known.guid === record.guid) {
      this.#unique.set(key, { guid: record.guid, row });
      this.#holds.set(record.guid, key);
    } else {
      this.#unique.delete(key);
    }
  }

  /** activeByUnique() from #unique; null when it cannot tell (a key not there, or several holders). */
  #cachedActive(
    typeNames: readonly string[],
    qualifiedName: string,
  ): EntityRecord | undefined | null {
    let found: SqlParams | undefined;
    for (const typeName of typeNames) {
      const known = this.#unique.get(uniqueKey(typeName, qualifiedName));
      if (known === undefined) return null;
      if (known === null) continue;
      // Entities of two types with one name: the database orders them (selectActiveByUnique).
      if (found !== undefined) return null;
      found = known.row;
    }
    // A record of its own (parsed afresh): the caller may change it.
    return found === undefined ? undefined : paramsRecord(found);
  }

  async activeByUnique(
    typeNames: string[],
    qualifiedName: string,
  ): Promise<EntityRecord | undefined> {
    if (this.#unique.size > 0) {
      const cached = this.#cachedActive(typeNames, qualifiedName);
      if (cached !== null) return cached;
    }
    const [row] = await this.#db.all(
      ...byTypes(
        this.#sql.selectActiveByUnique,
        this.#sql.selectActiveByUniqueOfType,
        typeNames,
        qualifiedName,
      ),
    );
    return row ? toRecord(row) : undefined;
  }

  /** The active entity, else the most recently updated deleted one. */
  async latestByUnique(
    typeNames: string[],
    qualifiedName: string,
  ): Promise<EntityRecord | undefined> {
    const [row] = await this.#db.all(
      ...byTypes(
        this.#sql.selectLatestByUnique,
        this.#sql.selectLatestByUniqueOfType,
        typeNames,
        qualifiedName,
      ),
    );
    return row ? toRecord(row) : undefined;
  }

  /** Writes a new entity row; resolves the JSON texts of its structured fields (for its audit event). */
  async insertEntity(record: EntityRecord, createOrd: number): Promise<EntityJsonColumns> {
    const row = recordParams(record, createOrd);
    await this.#db.send(this.#sql.insertEntity, row);
    if (this.#unique.size > 0) this.#hold(record, row);
    return row;
  }

  /** Rewrites an entity row; resolves as insertEntity. */
  async updateEntity(record: EntityRecord): Promise<EntityJsonColumns> {
    const row = recordParams(record);
    await this.#db.send(this.#sql.updateEntity, row);
    if (this.#unique.size > 0) this.#hold(record, row);
    return row;
  }

  async relationship(guid: string): Promise<RelationshipRecord | undefined> {
    const [row] = await this.#db.all(this.#sql.selectRelationship, { guid });
    return row ? toRelationship(row) : undefined;
  }

  /** Relationships with an end among `guids` at end 1, end 2, or either ("any"), each once. */
  async relationshipsOf(
    guids: readonly string[],
    at: 1 | 2 | "any",
    filter: RelationshipFilter = {},
  ): Promise<RelationshipRecord[]> {
    if (guids.length === 0) return [];
    const params: SqlParams = {
      guids: JSON.stringify(guids),
      types: filter.types === undefined ? null : JSON.stringify(filter.types),
      activeOnly: filter.activeOnly ? 1 : 0,
    };
    const rows: SqlRow[] = [];
    if (at !== 2) rows.push(...(await this.#db.all(this.#sql.selectRelationshipsByEnd1, params)));
    if (at !== 1) rows.push(...(await this.#db.all(this.#sql.selectRelationshipsByEnd2, params)));
    const seen = new Map<string, RelationshipRecord>();
    for (const row of rows)
      if (!seen.has(String(row.guid))) seen.set(String(row.guid), toRelationship(row));
    return [...seen.values()];
  }

  async insertRelationship(relationship: RelationshipRecord): Promise<void> {
    await this.#db.run(this.#sql.insertRelationship, relationshipParams(relationship));
  }

  async updateRelationship(relationship: RelationshipRecord): Promise<void> {
    await this.#db.run(this.#sql.updateRelationship, relationshipParams(relationship));
  }

  async isHookApplied(position: HookPosition): Promise<boolean> {
    const rows = await this.#db.all(this.#sql.selectHookOffset, { ...position });
    return rows.length > 0;
  }

  /** Which of `positions` were applied (each as `topic/partition/offset`): one query per partition. */
  async appliedHookPositions(positions: readonly HookPosition[]): Promise<Set<string>> {
    const ranges = new Map<
      string,
      { topic: string; partition: number; from: bigint; to: bigint }
    >();
    for (const { topic, partition, offset } of positions) {
      const key = `${topic}/${partition}`;
      const at = BigInt(offset);
      const range = ranges.get(key);
      if (!range) ranges.set(key, { topic, partition, from: at, to: at });
      else {
        if (at < range.from) range.from = at;
        if (at > range.to) range.to = at;
      }
    }
    const applied = new Set<string>();
    for (const { topic, partition, from, to } of ranges.values()) {
      const rows = await this.#db.all(this.#sql.selectHookOffsetsBetween, {
        topic,
        partition,
        from: from.toString(),
        to: to.toString(),
      });
      for (const row of rows) applied.add(`${topic}/${partition}/${String(row.kafka_offset)}`);
    }
    return applied;
  }

  async insertHookOffset(
    position: HookPosition,
    epoch: number,
    seq: number,
    at: number,
  ): Promise<void> {
    // Fields named, not spread: positions come in several shapes, and a spread of many
    // shapes takes V8's slow path (~3 µs a message).
    const { topic, partition, offset } = position;
    await this.#db.send(this.#sql.insertHookOffset, { topic, partition, offset, epoch, seq, at });
  }

  async typedefs(): Promise<StoredTypedef[]> {
    const rows = await this.#db.all(this.#sql.selectTypedefs);
    return rows.map((r) => ({
      category: String(r.category) as TypeCategory,
      def: json<AnyTypeDef>(r.definition),
    }));
  }

  async insertTypedef(
    typedef: StoredTypedef,
    epoch: number,
    seq: number,
    ord: number,
  ): Promise<void> {
    await this.#db.run(this.#sql.insertTypedef, {
      name: typedef.def.name,
      category: typedef.category,
      guid: typedef.def.guid ?? null,
      definition: JSON.stringify(typedef.def),
      createTime: typedef.def.createTime ?? 0,
      epoch,
      seq,
      ord,
    });
  }

  async updateTypedef(typedef: StoredTypedef): Promise<void> {
    await this.#db.run(this.#sql.updateTypedef, {
      name: typedef.def.name,
      definition: JSON.stringify(typedef.def),
    });
  }

  async deleteTypedef(name: string): Promise<void> {
    await this.#db.run(this.#sql.deleteTypedef, { name });
  }

  /** Whether stored entities use the type: as their type, or named in their JSON (see StoreSql). */
  async typeInUse(typeName: string): Promise<boolean> {
    const like = (key: string) =>
      `%${JSON.stringify({ [key]: typeName })
        .slice(1, -1)
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.#db.all(this.#sql.selectTypeInUse, {
      typeName,
      pattern: like("typeName"),
      relPattern: like("relationshipType"),
      // A business metadata def is a key of an entity's business attributes.
      keyPattern: `%${JSON.stringify(typeName).replace(/[\\%_]/g, (c) => `\\${c}`)}:%`,
    });
    return rows.length > 0;
  }

  /** The propagation tables (propagation-sql.ts), in this transaction. */
  get propagation(): PropagationTx {
    return new PropagationTx(this.#sql.propagation, this.#db);
  }

  async appliedMigrations(): Promise<number[]> {
    return (await this.#db.all(this.#sql.selectMigrations)).map((r) => num(r.version));
  }

  async recordMigration(migration: Migration, at: number): Promise<void> {
    await this.#db.run(this.#sql.insertMigration, {
      version: migration.version,
      name: migration.name,
      at,
    });
  }
}
