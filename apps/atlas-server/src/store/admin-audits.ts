/**
 * Atlas's own audit of admin operations (AtlasAuditEntry, POST admin/audits), read from the
 * write log: the writes Atlas audits are there already, each with its user and time —
 * purges (PURGE), typedef creates, updates and deletes (TYPE_DEF_*), and this server's
 * activations (the fence a new active writes: SERVER_STATE_ACTIVE). A purge's `result` is the
 * purged guids, from its ENTITY_PURGE audit events; their headers are its details.
 */
import type { SqlRunner, SqlRow } from "./sql.js";
import type { AtlasEntityHeader } from "./types.js";

/** Atlas's AtlasAuditEntry.AuditOperation values this server records. */
const OPERATIONS: Record<string, string> = {
  ENTITY_PURGE: "PURGE",
  TYPEDEF_CREATE: "TYPE_DEF_CREATE",
  TYPEDEF_UPDATE: "TYPE_DEF_UPDATE",
  TYPEDEF_DELETE: "TYPE_DEF_DELETE",
  FENCE: "SERVER_STATE_ACTIVE",
};

/** Atlas `AtlasAuditEntry`; `guid` is the write-log seq of the operation. */
export interface AtlasAuditEntry {
  guid: string;
  userName: string;
  operation: string;
  params: string | null;
  startTime: number;
  endTime: number;
  clientId: string | null;
  result: string | null;
  resultCount: number;
}

const LOGGED = Object.keys(OPERATIONS)
  .map((o) => `'${o}'`)
  .join(", ");

function toEntry(row: SqlRow, purged: Map<number, string[]>): AtlasAuditEntry {
  const seq = Number(row.seq);
  const operation = OPERATIONS[String(row.operation)]!;
  const guids = purged.get(seq) ?? [];
  const at = Number(row.at);
  return {
    guid: String(seq),
    userName: String(row.user_name),
    operation,
    params: operation === "PURGE" ? `[${guids.join(", ")}]` : null,
    startTime: at,
    endTime: at,
    clientId: null,
    result: operation === "PURGE" ? guids.join(",") : null,
    resultCount: Number(row.changed),
  };
}

/** Every audited admin operation, oldest first (the API filters, sorts and pages them). */
export async function listAdminAudits(db: SqlRunner): Promise<AtlasAuditEntry[]> {
  const rows = await db.all(
    `SELECT seq, operation, user_name, at, changed FROM atlas_writes
      WHERE operation IN (${LOGGED}) ORDER BY seq`,
  );
  const purged = new Map<number, string[]>();
  for (const row of await db.all(
    `SELECT write_seq, entity_guid FROM atlas_entity_audit WHERE action = 'ENTITY_PURGE'
      ORDER BY write_seq, ord`,
  )) {
    const seq = Number(row.write_seq);
    const list = purged.get(seq) ?? [];
    list.push(String(row.entity_guid));
    purged.set(seq, list);
  }
  return rows.map((row) => toEntry(row, purged));
}

/**
 * The headers of what an audited purge removed (Atlas's admin/audit/{guid}/details), from
 * its ENTITY_PURGE events; empty for other operations; null when no such audit entry.
 */
export async function adminAuditDetails(
  db: SqlRunner,
  guid: string,
  limit: number,
  offset: number,
): Promise<AtlasEntityHeader[] | null> {
  if (!/^\d{1,15}$/.test(guid)) return null;
  const [write] = await db.all(
    `SELECT operation FROM atlas_writes WHERE seq = @seq AND operation IN (${LOGGED})`,
    { seq: Number(guid) },
  );
  if (!write) return null;
  const rows = await db.all(
    `SELECT details FROM atlas_entity_audit WHERE write_seq = @seq AND action = 'ENTITY_PURGE'
      ORDER BY ord LIMIT @limit OFFSET @offset`,
    { seq: Number(guid), limit, offset },
  );
  return rows.map((row) => {
    const text = String(row.details);
    const entity = JSON.parse(text.slice(text.indexOf("{"))) as Record<string, unknown>;
    const attributes = (entity.attributes ?? {}) as Record<string, unknown>;
    return {
      typeName: String(entity.typeName),
      guid: String(entity.guid),
      status: "DELETED",
      displayText: String(attributes.name ?? attributes.qualifiedName ?? entity.guid),
      attributes: Object.fromEntries(
        ["qualifiedName", "name", "owner", "description"]
          .filter((k) => attributes[k] !== undefined && attributes[k] !== null)
          .map((k) => [k, attributes[k]]),
      ),
      classificationNames: ((entity.classifications ?? []) as { typeName: string }[]).map(
        (c) => c.typeName,
      ),
      isIncomplete: entity.isIncomplete === true,
    } as AtlasEntityHeader;
  });
}
