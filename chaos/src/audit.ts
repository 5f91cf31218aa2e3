/**
 * The store's own bookkeeping, cross-checked: every entity row and every applied hook
 * position carries the write (seq) and epoch that made it — `atlas_entities.write_epoch /
 * write_seq / create_seq`, `atlas_hook_offsets.epoch / write_seq` — and the write log
 * (`atlas_writes`) has one row per committed write. They are written in the same fenced
 * transaction, so they must agree: a row stamped with a seq the log lacks, or with another
 * epoch than the log's, is a write that bypassed the fence or the log.
 *
 * The same tables count the redeliveries the store skipped: `applyHook` records a HOOK write
 * even when it finds the position already applied (changed = 0, no position row), so a HOOK
 * write without a position row is a skipped redelivery — and one that changed entities is a
 * hook applied without its position recorded.
 *
 * The tables are read directly (better-sqlite3 read-only, or pg), in one snapshot; the
 * store's API exposes none of these columns.
 */
import Database from "better-sqlite3";
import pg from "pg";

export interface StoreTables {
  writes: { seq: number; epoch: number; operation: string; changed: number }[];
  entities: {
    guid: string;
    qualifiedName: string | null;
    writeEpoch: number;
    writeSeq: number;
    createSeq: number;
  }[];
  offsets: { topic: string; partition: number; offset: number; epoch: number; writeSeq: number }[];
}

const WRITES = "SELECT seq, epoch, operation, changed FROM atlas_writes ORDER BY seq";
const ENTITIES =
  "SELECT guid, qualified_name, write_epoch, write_seq, create_seq FROM atlas_entities";
const OFFSETS =
  "SELECT topic, kafka_partition, kafka_offset, epoch, write_seq FROM atlas_hook_offsets";

type Row = Record<string, unknown>;

function toTables(writes: Row[], entities: Row[], offsets: Row[]): StoreTables {
  return {
    writes: writes.map((r) => ({
      seq: Number(r.seq),
      epoch: Number(r.epoch),
      operation: String(r.operation),
      changed: Number(r.changed),
    })),
    entities: entities.map((r) => ({
      guid: String(r.guid),
      qualifiedName:
        r.qualified_name === null
          ? null
          : typeof r.qualified_name === "string"
            ? r.qualified_name
            : JSON.stringify(r.qualified_name),
      writeEpoch: Number(r.write_epoch),
      writeSeq: Number(r.write_seq),
      createSeq: Number(r.create_seq),
    })),
    offsets: offsets.map((r) => ({
      topic: String(r.topic),
      partition: Number(r.kafka_partition),
      offset: Number(r.kafka_offset),
      epoch: Number(r.epoch),
      writeSeq: Number(r.write_seq),
    })),
  };
}

/** The three tables, in one read snapshot. */
export async function readStoreTables(
  config: { backend: "sqlite"; path: string } | { backend: "postgres"; url: string },
): Promise<StoreTables> {
  if (config.backend === "sqlite") {
    const db = new Database(config.path, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      return db.transaction(() =>
        toTables(
          db.prepare(WRITES).all() as Row[],
          db.prepare(ENTITIES).all() as Row[],
          db.prepare(OFFSETS).all() as Row[],
        ),
      )();
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const writes = await client.query(WRITES);
    const entities = await client.query(ENTITIES);
    const offsets = await client.query(OFFSETS);
    await client.query("COMMIT");
    return toTables(writes.rows as Row[], entities.rows as Row[], offsets.rows as Row[]);
  } finally {
    await client.end();
  }
}

export interface CrossCheckProblem {
  what: string;
  count: number;
  examples: string[];
}

export interface StoreCrossCheck {
  ok: boolean;
  writes: number;
  entities: number;
  offsets: number;
  hookWrites: number;
  /** HOOK writes that found their position applied and changed nothing: redeliveries the store skipped. */
  skippedRedeliveries: number;
  problems: CrossCheckProblem[];
}

const EXAMPLES = 10;

/** Entity writes: what may stamp an entity row (FENCE and TYPEDEF_CREATE never do). */
const ENTITY_OPERATIONS = new Set([
  "HOOK",
  "ENTITY_CREATE_OR_UPDATE",
  "ENTITY_PARTIAL_UPDATE",
  "ENTITY_DELETE",
]);

/** (1) The entities' and positions' stamps against the write log. */
export function crossCheckStore(tables: StoreTables): StoreCrossCheck {
  const bySeq = new Map(tables.writes.map((w) => [w.seq, w]));
  const found = new Map<string, CrossCheckProblem>();
  const problem = (what: string, example: string) => {
    const p = found.get(what) ?? { what, count: 0, examples: [] };
    found.set(what, p);
    p.count++;
    if (p.examples.length < EXAMPLES) p.examples.push(example);
  };

  const stampedBySeq = new Map<number, number>();
  const createdBySeq = new Map<number, number>();
  for (const e of tables.entities) {
    const id = `${e.qualifiedName ?? e.guid} (write_seq ${e.writeSeq}, write_epoch ${e.writeEpoch}, create_seq ${e.createSeq})`;
    const w = bySeq.get(e.writeSeq);
    if (!w) problem("entity stamped with a write_seq the write log does not have", id);
    else {
      if (w.epoch !== e.writeEpoch)
        problem(
          "entity's write_epoch differs from its write's epoch in the log",
          `${id}: log epoch ${w.epoch}`,
        );
      if (!ENTITY_OPERATIONS.has(w.operation))
        problem("entity stamped by a write that changes no entities", `${id}: ${w.operation}`);
    }
    const c = bySeq.get(e.createSeq);
    if (!c) problem("entity created by a write the write log does not have", id);
    else if (e.createSeq > e.writeSeq || c.epoch > e.writeEpoch)
      problem("entity created after its last write", `${id}: created under epoch ${c.epoch}`);
    stampedBySeq.set(e.writeSeq, (stampedBySeq.get(e.writeSeq) ?? 0) + 1);
    createdBySeq.set(e.createSeq, (createdBySeq.get(e.createSeq) ?? 0) + 1);
  }
  for (const [seq, n] of stampedBySeq) {
    const w = bySeq.get(seq);
    if (w && n > w.changed)
      problem(
        "more entities stamped with a write than it says it changed",
        `seq ${seq}: ${n} stamped, changed ${w.changed}`,
      );
  }
  for (const [seq, n] of createdBySeq) {
    const w = bySeq.get(seq);
    if (w && n > w.changed)
      problem(
        "more entities created by a write than it says it changed",
        `seq ${seq}: ${n} created, changed ${w.changed}`,
      );
  }

  const positionsBySeq = new Map<number, number>();
  for (const o of tables.offsets) {
    const id = `${o.topic}/${o.partition}@${o.offset} (write_seq ${o.writeSeq}, epoch ${o.epoch})`;
    const w = bySeq.get(o.writeSeq);
    if (!w) problem("hook position recorded by a write the write log does not have", id);
    else {
      if (w.operation !== "HOOK")
        problem(
          "hook position recorded by a write that is not a HOOK write",
          `${id}: ${w.operation}`,
        );
      if (w.epoch !== o.epoch)
        problem(
          "hook position's epoch differs from its write's epoch in the log",
          `${id}: log epoch ${w.epoch}`,
        );
    }
    positionsBySeq.set(o.writeSeq, (positionsBySeq.get(o.writeSeq) ?? 0) + 1);
  }
  for (const [seq, n] of positionsBySeq)
    if (n > 1) problem("one HOOK write recorded several positions", `seq ${seq}: ${n} positions`);

  let hookWrites = 0;
  let skippedRedeliveries = 0;
  for (const w of tables.writes) {
    if (w.operation !== "HOOK") continue;
    hookWrites++;
    if (positionsBySeq.has(w.seq)) continue;
    if (w.changed === 0) skippedRedeliveries++;
    else
      problem(
        "HOOK write that changed entities without recording its position",
        `seq ${w.seq} (epoch ${w.epoch}): changed ${w.changed}`,
      );
  }

  const problems = [...found.values()];
  return {
    ok: problems.length === 0,
    writes: tables.writes.length,
    entities: tables.entities.length,
    offsets: tables.offsets.length,
    hookWrites,
    skippedRedeliveries,
    problems,
  };
}
