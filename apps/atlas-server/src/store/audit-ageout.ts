/**
 * Audit aging (Atlas's POST admin/audits/ageout): removes entity audit events by age and by
 * count, per entity, as Atlas's audit repositories' deleteEventsV2 does, for the three aging
 * types its AtlasAuditReductionService builds (the API layer builds them: api/audit-ageout.ts):
 *
 * - SWEEP: every event of the named entity types and/or actions goes.
 * - CUSTOM: for the named entity types and/or actions, an entity keeps its `count` newest
 *   events (of each named action), then loses those of them older than `ttlDays`.
 * - DEFAULT: every entity type except the named ones, the same way, the newest
 *   `count` counted over all its actions together.
 *
 * ENTITY_CREATE and ENTITY_IMPORT_CREATE stay unless `createEventsAgeoutAllowed`. Runs in one
 * fenced write; Atlas queues tasks that run later, here the work is done when the answer is sent.
 */
import type { AuditAction } from "./audit.js";
import type { SqlRunner } from "./sql.js";
import type { TypeRegistry } from "./typesystem.js";

export type AuditAgingType = "DEFAULT" | "CUSTOM" | "SWEEP";

export interface AuditAgeoutCriteria {
  type: AuditAgingType;
  /** Events older than this many days go (0: no age limit). */
  ttlDays: number;
  /** Events beyond the newest `count` go (0: no count limit; SWEEP keeps none). */
  count: number;
  /** Entity type names as asked: `hive_*` names every type with that prefix. */
  entityTypes: readonly string[];
  /** The named types' subtypes too. */
  subTypesIncluded: boolean;
  /** Actions aged; empty means every action. */
  actionTypes: readonly AuditAction[];
  createEventsAgeoutAllowed: boolean;
}

interface EventRow {
  guid: string;
  seq: number;
  ord: number;
  at: number;
  action: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CREATE_ACTIONS = ["ENTITY_CREATE", "ENTITY_IMPORT_CREATE"];

/** The events one criteria removes from one entity's events (newest first). */
function eligible(criteria: AuditAgeoutCriteria, events: EventRow[], now: number): EventRow[] {
  const out: EventRow[] = [];
  const byCount = criteria.count > 0 || criteria.type === "SWEEP";
  // Per named action (or all together when none is named): the newest `count` are kept.
  const groups =
    criteria.actionTypes.length === 0
      ? [events]
      : criteria.actionTypes.map((a) => events.filter((e) => e.action === a));
  let kept: EventRow[] = [];
  for (const group of groups) {
    if (!byCount) {
      kept.push(...group);
      continue;
    }
    kept.push(...group.slice(0, criteria.count));
    out.push(...group.slice(criteria.count));
  }
  if (kept.length === 0) return out;
  if (byCount && (criteria.type === "DEFAULT" || criteria.actionTypes.length === 0)) {
    kept.sort(newestFirst);
    out.push(...kept.slice(criteria.count));
    kept = kept.slice(0, criteria.count);
  }
  if (criteria.ttlDays > 0) {
    const limit = now - criteria.ttlDays * DAY_MS;
    out.push(...kept.filter((e) => e.at < limit));
  }
  return out;
}

function newestFirst(a: EventRow, b: EventRow): number {
  return b.at - a.at || b.seq - a.seq || b.ord - a.ord;
}

/**
 * The entity types a criteria names, as Atlas's AuditReductionEntityRetrievalTask resolves them:
 * `prefix*` matches by prefix, unknown names are dropped, subtypes added when asked. Null when
 * a SWEEP or CUSTOM criteria names types and none is known (Atlas then runs no task).
 */
function resolveTypes(types: TypeRegistry, criteria: AuditAgeoutCriteria): string[] | null {
  if (criteria.entityTypes.length === 0) return [];
  const all = types
    .all()
    .filter((t) => t.category === "ENTITY")
    .map((t) => t.def.name);
  const named = new Set<string>();
  for (const name of criteria.entityTypes) {
    if (name.endsWith("*")) {
      const prefix = name.replaceAll("*", "");
      for (const t of all) if (t.startsWith(prefix)) named.add(t);
    } else if (types.isEntityType(name)) named.add(name);
  }
  if (named.size === 0 && criteria.type !== "DEFAULT") return null;
  if (!criteria.subTypesIncluded) return [...named];
  return [...new Set([...named].flatMap((t) => types.withSubtypes(t)))];
}

/** What one criteria did: events removed, or skipped (it named only unknown entity types). */
export interface AgeoutOutcome {
  removed: number;
  skipped: boolean;
}

/** Applies each criteria in turn (Atlas's order: sweep, custom, default). */
export async function ageoutAudits(
  db: SqlRunner,
  types: TypeRegistry,
  criteriaList: readonly AuditAgeoutCriteria[],
  now: number,
): Promise<AgeoutOutcome[]> {
  const outcomes: AgeoutOutcome[] = [];
  for (const criteria of criteriaList) {
    const entityTypes = resolveTypes(types, criteria);
    if (entityTypes === null) {
      outcomes.push({ removed: 0, skipped: true });
      continue;
    }
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    const list = (prefix: string, values: readonly string[]) =>
      values
        .map((v, i) => {
          params[`${prefix}${i}`] = v;
          return `@${prefix}${i}`;
        })
        .join(", ");
    if (entityTypes.length > 0)
      where.push(
        `type_name ${criteria.type === "DEFAULT" ? "NOT IN" : "IN"} (${list("t", entityTypes)})`,
      );
    if (criteria.actionTypes.length > 0)
      where.push(`action IN (${list("a", criteria.actionTypes)})`);
    if (!criteria.createEventsAgeoutAllowed)
      where.push(`action NOT IN (${list("c", CREATE_ACTIONS)})`);
    const rows = await db.all(
      `SELECT entity_guid, write_seq, ord, at, action FROM atlas_entity_audit
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}`,
      params,
    );
    const byEntity = new Map<string, EventRow[]>();
    for (const row of rows) {
      const event: EventRow = {
        guid: String(row.entity_guid),
        seq: Number(row.write_seq),
        ord: Number(row.ord),
        at: Number(row.at),
        action: String(row.action),
      };
      const events = byEntity.get(event.guid);
      if (events) events.push(event);
      else byEntity.set(event.guid, [event]);
    }
    let count = 0;
    for (const events of byEntity.values()) {
      events.sort(newestFirst);
      for (const event of eligible(criteria, events, now)) {
        await db.run(`DELETE FROM atlas_entity_audit WHERE write_seq = @seq AND ord = @ord`, {
          seq: event.seq,
          ord: event.ord,
        });
        count++;
      }
    }
    outcomes.push({ removed: count, skipped: false });
  }
  return outcomes;
}
