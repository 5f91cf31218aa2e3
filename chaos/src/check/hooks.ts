// (2) Every hook record in the topic applied; every create's entity there exactly once, as created.
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { hookQualifiedName, HOOK_SUFFIX, messageKind } from "../producer.js";
import { countByQualifiedName, EXAMPLES } from "./common.js";

export interface TopicRecords {
  topic: string;
  /** Per partition: offsets [low, high) hold the records. */
  partitions: { partition: number; low: number; high: number }[];
}

/** Positions of the topic whose application the store has not recorded. */
export async function unappliedPositions(
  store: MetadataStore,
  records: TopicRecords,
  among?: { partition: number; offset: number }[],
): Promise<{ partition: number; offset: number }[]> {
  const candidates =
    among ??
    records.partitions.flatMap((p) =>
      Array.from({ length: p.high - p.low }, (_, i) => ({
        partition: p.partition,
        offset: p.low + i,
      })),
    );
  const out: { partition: number; offset: number }[] = [];
  for (const c of candidates) {
    if (
      !(await store.isHookApplied({
        topic: records.topic,
        partition: c.partition,
        offset: String(c.offset),
      }))
    )
      out.push(c);
  }
  return out;
}

export interface HookCheck {
  ok: boolean;
  /** Numbers published (0 … published-1); the last may lack an acknowledgement. */
  published: number;
  acknowledged: number;
  /** Records in the topic (a send retried after a lost acknowledgement makes two). */
  topicRecords: number;
  unappliedRecords: number;
  unapplied: { partition: number; offset: number }[];
  /** Acknowledged messages whose entity is missing. */
  missing: number[];
  /** Messages whose qualifiedName is carried by more than one entity. */
  duplicated: { n: number; count: number }[];
  /** Entities of create messages at another version than 0, or not ACTIVE. */
  changed: { n: number; version: number; status: string }[];
}

/** (2) */
export async function checkHooks(
  store: MetadataStore,
  records: TopicRecords,
  published: number,
  acknowledged: ReadonlySet<number>,
  unapplied: { partition: number; offset: number }[],
  partitions = 1,
): Promise<HookCheck> {
  const counts = await countByQualifiedName(store, HOOK_SUFFIX);
  const missing: number[] = [];
  const duplicated: HookCheck["duplicated"] = [];
  const changed: HookCheck["changed"] = [];
  let missingCount = 0;
  let duplicatedCount = 0;
  let changedCount = 0;
  for (let n = 0; n < published; n++) {
    if (messageKind(n, partitions).kind !== "create") continue;
    const qn = hookQualifiedName(n);
    const count = counts.get(qn) ?? 0;
    if (count === 0) {
      if (acknowledged.has(n)) {
        missingCount++;
        if (missing.length < EXAMPLES) missing.push(n);
      }
      continue;
    }
    if (count > 1) {
      duplicatedCount++;
      if (duplicated.length < EXAMPLES) duplicated.push({ n, count });
    }
    const found = await store.getByUniqueAttribute("hive_db", qn, { minExtInfo: true });
    const version = found?.entity.version ?? -1;
    const status = found?.entity.status ?? "MISSING";
    if (version !== 0 || status !== "ACTIVE") {
      changedCount++;
      if (changed.length < EXAMPLES) changed.push({ n, version, status });
    }
  }
  const topicRecords = records.partitions.reduce((sum, p) => sum + (p.high - p.low), 0);
  return {
    ok: unapplied.length === 0 && missingCount === 0 && duplicatedCount === 0 && changedCount === 0,
    published,
    acknowledged: acknowledged.size,
    topicRecords,
    unappliedRecords: unapplied.length,
    unapplied: unapplied.slice(0, EXAMPLES),
    missing,
    duplicated,
    changed,
  };
}
