/**
 * Entity audit events (Atlas's EntityAuditEventV2), written in the same fenced transaction as
 * the change they record, so an event exists if and only if its change committed. The one
 * place entity changes are known is Mutation.flush() (REST and hook writes alike): it hands
 * every changed record here with what it was when loaded, and the events follow Atlas's
 * EntityAuditListenerV2 — action, `details` text ("Created: {entity}", "Deleted entity",
 * "Added classification: {…}", "Added labels: a b", …). Purges (purge.ts) add ENTITY_PURGE.
 * Events outlive the entity: a purged entity's audit can still be read.
 */
import type { AtlasClassification, JsonValue } from "@atlas-ha/atlas-model";
import {
  canonicalJson,
  hasKey,
  storedEntityJson,
  toStoredEntity,
  type EntityJsonColumns,
  type EntityRecord,
} from "./entities.js";
import type { SqlRunner, SqlRow, SqlTx } from "./sql.js";

/** Atlas's EntityAuditActionV2 values this store writes or filters on. */
export const AUDIT_ACTIONS = [
  "ENTITY_CREATE",
  "ENTITY_UPDATE",
  "ENTITY_DELETE",
  "ENTITY_IMPORT_CREATE",
  "ENTITY_IMPORT_UPDATE",
  "ENTITY_IMPORT_DELETE",
  "CLASSIFICATION_ADD",
  "CLASSIFICATION_DELETE",
  "CLASSIFICATION_UPDATE",
  "PROPAGATED_CLASSIFICATION_ADD",
  "PROPAGATED_CLASSIFICATION_DELETE",
  "PROPAGATED_CLASSIFICATION_UPDATE",
  "TERM_ADD",
  "TERM_DELETE",
  "LABEL_ADD",
  "LABEL_DELETE",
  "ENTITY_PURGE",
  "BUSINESS_ATTRIBUTE_UPDATE",
  "CUSTOM_ATTRIBUTE_UPDATE",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Atlas's fromString also reads the v1 names of the classification actions. */
const ACTION_ALIASES: Record<string, AuditAction> = {
  TAG_ADD: "CLASSIFICATION_ADD",
  TAG_DELETE: "CLASSIFICATION_DELETE",
  TAG_UPDATE: "CLASSIFICATION_UPDATE",
};

/** The action a query parameter names, or undefined when it names none. */
export function auditAction(value: string): AuditAction | undefined {
  if ((AUDIT_ACTIONS as readonly string[]).includes(value)) return value as AuditAction;
  return ACTION_ALIASES[value];
}

/** Atlas's EntityAuditEventV2 as its REST answers it, plus the write that made it. */
export interface EntityAuditEvent {
  entityId: string;
  timestamp: number;
  user: string;
  action: AuditAction;
  details: string;
  eventKey: string;
  entity: null;
  type: "ENTITY_AUDIT_V2";
  /** The write-log seq and epoch of the write that made the event (ours). */
  writeSeq: number;
  writeEpoch: number;
}

export interface AuditListOptions {
  auditAction?: AuditAction;
  /** 1–32767, default 100 (Atlas's `short count`). */
  count?: number;
  /** An `eventKey`: newest-first listing starts at that event (Atlas's startKey). */
  startKey?: string;
  /**
   * With `offset` ≥ 0 or `sortBy`, Atlas's paged listing: sorted by `sortBy` (user, action,
   * timestamp — the default), ascending unless `sortOrder` is desc, from `offset`.
   * Otherwise newest first.
   */
  offset?: number;
  sortBy?: "user" | "action" | "timestamp";
  sortOrder?: "asc" | "desc";
}

export const AUDIT_SORT_COLUMNS = ["user", "action", "timestamp"] as const;

interface AuditMarks {
  tx: SqlTx;
  epoch: number;
  seq: number;
  user: string;
  now: number;
}

interface PendingEvent {
  record: EntityRecord;
  action: AuditAction;
  details: string;
}

const INSERT = `INSERT INTO atlas_entity_audit (entity_guid, type_name, write_seq, ord, write_epoch, at,
  user_name, action, details) VALUES (@guid, @typeName, @seq, @ord, @epoch, @at, @user, @action, @details)`;

/**
 * One changed entity of a write: the record as written, its contentOf() when loaded
 * (undefined: created), and the JSON texts its row was written with, when at hand.
 */
export interface AuditedChange {
  record: EntityRecord;
  before: string | undefined;
  json?: EntityJsonColumns;
}

/** Writes the audit events of one write's entity changes (Mutation.flush), in its transaction. */
export async function writeEntityAudits(
  marks: AuditMarks,
  changes: readonly AuditedChange[],
): Promise<void> {
  const events: PendingEvent[] = [];
  for (const change of changes) events.push(...eventsOf(change));
  await insertEvents(marks, events);
}

/** ENTITY_PURGE events of purged entities (purge.ts), in the purge's transaction. */
export async function writePurgeAudits(
  marks: AuditMarks,
  records: readonly EntityRecord[],
): Promise<void> {
  await insertEvents(
    marks,
    records.map((record) => ({
      record,
      action: "ENTITY_PURGE" as const,
      details: `Purged: ${auditedEntity(record)}`,
    })),
  );
}

async function insertEvents(marks: AuditMarks, events: readonly PendingEvent[]): Promise<void> {
  for (const [ord, event] of events.entries()) {
    await marks.tx.runner.send(INSERT, {
      guid: event.record.guid,
      typeName: event.record.typeName,
      seq: marks.seq,
      ord,
      epoch: marks.epoch,
      at: marks.now,
      user: marks.user,
      action: event.action,
      details: event.details,
    });
  }
}

type Content = [
  string,
  string,
  boolean,
  Record<string, JsonValue>,
  Record<string, JsonValue>,
  AtlasClassification[],
  string[],
  Record<string, string>,
  Record<string, Record<string, JsonValue>>,
];

/** Above this, an event's entity leaves out its attribute values, as Atlas's audit does past its size limit. */
export const AUDIT_DETAILS_MAX_CHARS = 256 * 1024;

/** The entity as an event's details carry it: whole, else without attribute values, else a summary. */
function auditedEntity(record: EntityRecord, json?: EntityJsonColumns): string {
  const whole =
    json === undefined ? JSON.stringify(toStoredEntity(record)) : storedEntityJson(record, json);
  if (whole.length <= AUDIT_DETAILS_MAX_CHARS) return whole;
  const entity = toStoredEntity(record);
  const lean = JSON.stringify({ ...entity, attributes: null, relationshipAttributes: null });
  if (lean.length <= AUDIT_DETAILS_MAX_CHARS) return lean;
  const { guid, typeName, createTime, updateTime, createdBy, updatedBy, status, version } = entity;
  return JSON.stringify({
    guid,
    typeName,
    createTime,
    updateTime,
    createdBy,
    updatedBy,
    status,
    version,
  });
}

/** The events of one change, in Atlas's order: the entity, then classifications, labels, attributes. */
function eventsOf({ record, before, json }: AuditedChange): PendingEvent[] {
  const entityJson = () => auditedEntity(record, json);
  const out: PendingEvent[] = [];
  const event = (action: AuditAction, details: string) => out.push({ record, action, details });
  const old = before === undefined ? undefined : (JSON.parse(before) as Content);
  if (old === undefined) {
    event("ENTITY_CREATE", `Created: ${entityJson()}`);
  } else if (old[1] === "ACTIVE" && record.status === "DELETED") {
    event("ENTITY_DELETE", "Deleted entity");
    return out;
  } else if (
    canonicalJson(old.slice(0, 5)) !==
    canonicalJson([
      record.typeName,
      record.status,
      record.isIncomplete,
      record.attributes,
      record.relationshipAttributes,
    ])
  ) {
    event("ENTITY_UPDATE", `Updated: ${entityJson()}`);
  }

  classificationEvents(old?.[5] ?? [], record.classifications, event);
  labelEvents(old?.[6] ?? [], record.labels, event);

  // A created entity is compared with nothing: what it carries is the change (no canonical
  // text of each side, which is most of an event's cost when hooks create entities).
  if (
    old === undefined
      ? hasKey(record.customAttributes)
      : canonicalJson(old[7] ?? {}) !== canonicalJson(record.customAttributes)
  )
    event("CUSTOM_ATTRIBUTE_UPDATE", `Updated custom attribute: ${entityJson()}`);

  businessEvents(old?.[8] ?? {}, record.businessAttributes, event);
  return out;
}

type AddEvent = (action: AuditAction, details: string) => void;

// The three below return at once when both sides are empty, as for most entities: no maps
// or sets are built for nothing on every write.

function classificationEvents(
  before: readonly AtlasClassification[],
  after: readonly AtlasClassification[],
  event: AddEvent,
): void {
  if (before.length === 0 && after.length === 0) return;
  const oldTags = new Map(before.map((c) => [c.typeName, c]));
  const newTags = new Map(after.map((c) => [c.typeName, c]));
  for (const [name, tag] of newTags) {
    const was = oldTags.get(name);
    if (!was) event("CLASSIFICATION_ADD", `Added classification: ${JSON.stringify(tag)}`);
    else if (canonicalJson(was) !== canonicalJson(tag))
      event("CLASSIFICATION_UPDATE", `Updated classification: ${JSON.stringify(tag)}`);
  }
  for (const name of oldTags.keys())
    if (!newTags.has(name)) event("CLASSIFICATION_DELETE", `Deleted classification: ${name}`);
}

function labelEvents(before: readonly string[], after: readonly string[], event: AddEvent): void {
  if (before.length === 0 && after.length === 0) return;
  const oldLabels = new Set(before);
  const newLabels = new Set(after);
  const added = [...newLabels].filter((l) => !oldLabels.has(l));
  const removed = [...oldLabels].filter((l) => !newLabels.has(l));
  if (added.length > 0) event("LABEL_ADD", `Added labels: ${added.join(" ")}`);
  if (removed.length > 0) event("LABEL_DELETE", `Deleted labels: ${removed.join(" ")}`);
}

function businessEvents(
  before: Record<string, Record<string, JsonValue>>,
  after: Record<string, Record<string, JsonValue>>,
  event: AddEvent,
): void {
  const names = Object.keys(before);
  const afterNames = Object.keys(after);
  if (names.length === 0 && afterNames.length === 0) return;
  for (const name of new Set([...names, ...afterNames])) {
    const now = after[name] ?? {};
    if (canonicalJson(before[name] ?? {}) === canonicalJson(now)) continue;
    event(
      "BUSINESS_ATTRIBUTE_UPDATE",
      `Updated business attributes: ${JSON.stringify({ typeName: name, attributes: now })}`,
    );
  }
}

const COLUMNS = `entity_guid, write_seq, ord, write_epoch, at, user_name, action, details`;
const SORT_SQL: Record<(typeof AUDIT_SORT_COLUMNS)[number], string> = {
  user: "lower(user_name)",
  action: "action",
  timestamp: "at",
};

/** Audit actions that change what classifications an entity has (Atlas's "tag changes"). */
const CLASSIFICATION_ACTIONS = [
  "CLASSIFICATION_ADD",
  "CLASSIFICATION_DELETE",
  "CLASSIFICATION_UPDATE",
  "PROPAGATED_CLASSIFICATION_ADD",
  "PROPAGATED_CLASSIFICATION_DELETE",
  "PROPAGATED_CLASSIFICATION_UPDATE",
] as const;

/**
 * The guids of the entities with a classification change audited between `from` and `to`
 * (epoch ms, both included), at most `limit` (callers ask for one more to know there are more).
 */
export async function entitiesWithClassificationChanges(
  db: SqlRunner,
  from: number,
  to: number,
  limit: number,
): Promise<string[]> {
  const actions = CLASSIFICATION_ACTIONS.map((a) => `'${a}'`).join(", ");
  const rows = await db.all(
    `SELECT entity_guid FROM atlas_entity_audit
      WHERE at >= @from AND at <= @to AND action IN (${actions})
      GROUP BY entity_guid ORDER BY min(at), entity_guid LIMIT @limit`,
    { from, to, limit },
  );
  return rows.map((r) => String(r.entity_guid));
}

/** Whether any audit event names the guid (a purged entity keeps its audit). */
export async function hasAuditEvents(db: SqlRunner, guid: string): Promise<boolean> {
  const rows = await db.all(
    `SELECT 1 AS hit FROM atlas_entity_audit WHERE entity_guid = @guid LIMIT 1`,
    { guid },
  );
  return rows.length > 0;
}

/** The audit events of an entity, as Atlas's GET v2/entity/{guid}/audit lists them. */
export async function listEntityAudits(
  db: SqlRunner,
  guid: string,
  options: AuditListOptions,
): Promise<EntityAuditEvent[]> {
  const count = options.count ?? 100;
  const where = ["entity_guid = @guid"];
  const params: Record<string, string | number> = { guid, count };
  if (options.auditAction !== undefined) {
    where.push("action = @action");
    params.action = options.auditAction;
  }
  let sql: string;
  if (options.sortBy !== undefined || (options.offset ?? -1) >= 0) {
    const dir = options.sortOrder === "desc" ? "DESC" : "ASC";
    const column = SORT_SQL[options.sortBy ?? "timestamp"];
    params.offset = Math.max(options.offset ?? 0, 0);
    sql = `SELECT ${COLUMNS} FROM atlas_entity_audit WHERE ${where.join(" AND ")}
      ORDER BY ${column} ${dir}, at ${dir}, write_seq ${dir}, ord ${dir} LIMIT @count OFFSET @offset`;
  } else {
    const start = options.startKey === undefined ? undefined : parseEventKey(options.startKey);
    if (start) {
      where.push("(write_seq < @seq OR (write_seq = @seq AND ord <= @ord))");
      params.seq = start.seq;
      params.ord = start.ord;
    }
    sql = `SELECT ${COLUMNS} FROM atlas_entity_audit WHERE ${where.join(" AND ")}
      ORDER BY write_seq DESC, ord DESC LIMIT @count`;
  }
  return (await db.all(sql, params)).map(toEvent);
}

/** `<guid>:<timestamp>:<seq>.<ord>`; undefined when the key is not one of ours. */
function parseEventKey(key: string): { seq: number; ord: number } | undefined {
  const match = /:(\d{1,15})\.(\d{1,9})$/.exec(key);
  return match ? { seq: Number(match[1]), ord: Number(match[2]) } : undefined;
}

/** Whether a startKey has the shape of our eventKey (the API answers 400 otherwise). */
export function isEventKey(key: string): boolean {
  return parseEventKey(key) !== undefined;
}

function toEvent(row: SqlRow): EntityAuditEvent {
  const guid = String(row.entity_guid);
  const at = Number(row.at);
  const seq = Number(row.write_seq);
  return {
    entityId: guid,
    timestamp: at,
    user: String(row.user_name),
    action: String(row.action) as AuditAction,
    details: String(row.details),
    eventKey: `${guid}:${at}:${seq}.${Number(row.ord)}`,
    entity: null,
    type: "ENTITY_AUDIT_V2",
    writeSeq: seq,
    writeEpoch: Number(row.write_epoch),
  };
}
