// (2) Order and count: each partition's counter entity, updated once per message, in order.
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { counterQualifiedName, counterSeq, messageKind } from "../producer.js";

export interface CounterExpectation {
  partition: number;
  /** The message creating the counter (seq 0) was acknowledged by Kafka. */
  createAcknowledged: boolean;
  /** The highest seq whose update Kafka acknowledged (0: only the create), null: none. */
  lastAcknowledged: number | null;
  /** The highest seq sent at all (the last send may have reached the log unacknowledged). */
  lastAttempted: number | null;
}

/** What each partition's counter must show, from the numbers acknowledged and the count attempted. */
export function counterExpectations(
  partitions: number,
  acknowledged: Iterable<number>,
  attempted: number,
): CounterExpectation[] {
  const out: CounterExpectation[] = Array.from({ length: partitions }, (_, partition) => ({
    partition,
    createAcknowledged: false,
    lastAcknowledged: null,
    lastAttempted: null,
  }));
  const seqOf = (n: number): { partition: number; seq: number } | null => {
    const what = messageKind(n, partitions);
    if (what.kind === "counter") return { partition: what.partition, seq: what.seq };
    return what.createsCounter ? { partition: what.partition, seq: 0 } : null;
  };
  for (const n of acknowledged) {
    const c = seqOf(n);
    if (!c) continue;
    const e = out[c.partition]!;
    if (c.seq === 0) e.createAcknowledged = true;
    e.lastAcknowledged = Math.max(e.lastAcknowledged ?? 0, c.seq);
  }
  for (let n = 0; n < attempted; n++) {
    const c = seqOf(n);
    if (c) out[c.partition]!.lastAttempted = Math.max(out[c.partition]!.lastAttempted ?? 0, c.seq);
  }
  return out;
}

export interface CounterFound {
  version: number;
  status: string;
  /** The seq its description carries; null when it carries none. */
  seq: number | null;
}

export interface CounterCheck {
  ok: boolean;
  partitions: {
    partition: number;
    seq: number | null;
    version: number | null;
    lastAcknowledged: number | null;
    lastAttempted: number | null;
  }[];
  /** Updates applied, summed over the counters (their final seqs). */
  updates: number;
  problems: { partition: number; problem: string }[];
}

/**
 * (2) Order and count: a counter applied once per update, in order, ends at the last seq sent
 * (at least the last acknowledged) with version = seq. A version above the seq is an update
 * applied again after a later one; below it, an update lost; a seq below the last
 * acknowledged, updates lost at the end.
 */
export function checkCounters(
  expected: readonly CounterExpectation[],
  found: ReadonlyMap<number, CounterFound | null>,
): CounterCheck {
  const problems: CounterCheck["problems"] = [];
  const partitions: CounterCheck["partitions"] = [];
  let updates = 0;
  for (const e of expected) {
    const f = found.get(e.partition) ?? null;
    partitions.push({
      partition: e.partition,
      seq: f?.seq ?? null,
      version: f?.version ?? null,
      lastAcknowledged: e.lastAcknowledged,
      lastAttempted: e.lastAttempted,
    });
    const problem = (text: string) => problems.push({ partition: e.partition, problem: text });
    if (!f) {
      if (e.createAcknowledged)
        problem("the counter is missing though its create was acknowledged");
      continue;
    }
    if (f.status !== "ACTIVE") problem(`the counter is ${f.status}`);
    if (f.seq === null) {
      problem("the counter's description carries no seq");
      continue;
    }
    updates += f.seq;
    if (e.lastAcknowledged !== null && f.seq < e.lastAcknowledged)
      problem(
        `at seq ${f.seq}, but updates up to seq ${e.lastAcknowledged} were acknowledged (lost or reordered)`,
      );
    if (f.seq > (e.lastAttempted ?? 0))
      problem(`at seq ${f.seq}, beyond the last seq sent (${e.lastAttempted ?? "none"})`);
    if (f.version !== f.seq) {
      problem(
        `version ${f.version} at seq ${f.seq}: ` +
          (f.version > f.seq
            ? `${f.version - f.seq} more changes than updates (an update applied again after a later one)`
            : `${f.seq - f.version} updates missing`),
      );
    }
  }
  return { ok: problems.length === 0, partitions, updates, problems };
}

/** The counters as the store has them. */
export async function readCounters(
  store: MetadataStore,
  partitions: number,
): Promise<Map<number, CounterFound | null>> {
  const out = new Map<number, CounterFound | null>();
  for (let p = 0; p < partitions; p++) {
    const found = await store.getByUniqueAttribute("hive_db", counterQualifiedName(p), {
      minExtInfo: true,
    });
    out.set(
      p,
      found
        ? {
            version: found.entity.version ?? -1,
            status: found.entity.status ?? "?",
            seq: counterSeq(found.entity.attributes?.description),
          }
        : null,
    );
  }
  return out;
}
