/**
 * The checker: what the run must prove, read from the store itself (the write log, the
 * entities, the applied hook positions) and from the status samples.
 *
 *   (1) writes the store accepted are monotone in epoch along its commit order;
 *   (2) every hook record in the topic was applied, and every published message's entity
 *       exists exactly once, ACTIVE, at version 0;
 *   (3) every REST write acknowledged with 200 is there afterwards;
 *   (4) moments where two instances answered ACTIVE (a figure, not a verdict);
 *   (5) time to recovery of each fault (from the acknowledgement times, `writeAvailability`).
 *
 * The pure parts (epochs, split brain) take plain data, so unit tests can feed them.
 */
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { hookQualifiedName, HOOK_SUFFIX } from "./producer.js";
import type { Sample } from "./sampler.js";
import { restQualifiedName, REST_SUFFIX, type AckedWrite } from "./writer.js";

type WriteRecord = Awaited<ReturnType<MetadataStore["writeLog"]>>[number];

/** Lists in the report are cut at this many examples; counts are always complete. */
const EXAMPLES = 20;

export interface EpochCheck {
  ok: boolean;
  writes: number;
  /** Each epoch that wrote, in order, with how many writes it made. */
  terms: { epoch: number; writes: number; firstSeq: number; lastSeq: number }[];
  byOperation: Record<string, number>;
  /** A write with a lower epoch than one committed before it. */
  violations: { seq: number; epoch: number; afterSeq: number; afterEpoch: number }[];
  violationCount: number;
  /** Seqs that did not increase (the log is read in seq order, so this is a store bug). */
  disorder: number;
}

/** (1), on the write log in seq order. */
export function checkEpochs(log: readonly WriteRecord[]): EpochCheck {
  const terms: EpochCheck["terms"] = [];
  const byOperation: Record<string, number> = {};
  const violations: EpochCheck["violations"] = [];
  let violationCount = 0;
  let disorder = 0;
  let highest: WriteRecord | undefined;
  let previous: WriteRecord | undefined;
  for (const w of log) {
    byOperation[w.operation] = (byOperation[w.operation] ?? 0) + 1;
    if (previous && w.seq <= previous.seq) disorder++;
    if (highest && w.epoch < highest.epoch) {
      violationCount++;
      if (violations.length < EXAMPLES) violations.push({ seq: w.seq, epoch: w.epoch, afterSeq: highest.seq, afterEpoch: highest.epoch });
    }
    if (!highest || w.epoch >= highest.epoch) highest = w;
    const term = terms.at(-1);
    if (term && term.epoch === w.epoch) {
      term.writes++;
      term.lastSeq = w.seq;
    } else {
      terms.push({ epoch: w.epoch, writes: 1, firstSeq: w.seq, lastSeq: w.seq });
    }
    previous = w;
  }
  return { ok: violationCount === 0 && disorder === 0, writes: log.length, terms, byOperation, violations, violationCount, disorder };
}

export interface SplitBrainFigure {
  samples: number;
  /** Rounds in which two or more instances answered ACTIVE. */
  moments: number;
  examples: { at: string; states: string[] }[];
  /** Rounds in which no instance answered ACTIVE. */
  noActive: number;
}

/** (4) */
export function countSplitBrain(samples: readonly Sample[]): SplitBrainFigure {
  let moments = 0;
  let noActive = 0;
  const examples: SplitBrainFigure["examples"] = [];
  for (const s of samples) {
    const active = s.states.filter((state) => state === "ACTIVE").length;
    if (active === 0) noActive++;
    if (active >= 2) {
      moments++;
      if (examples.length < EXAMPLES) examples.push({ at: new Date(s.at).toISOString(), states: [...s.states] });
    }
  }
  return { samples: samples.length, moments, examples, noActive };
}

/** The whole write log, page by page. */
export async function readWriteLog(store: MetadataStore): Promise<WriteRecord[]> {
  const out: WriteRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.writeLog({ afterSeq, limit: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
    afterSeq = page.at(-1)!.seq;
  }
}

/** qualifiedName → how many entities (ACTIVE or DELETED) carry it, among those matching `suffix`. */
async function countByQualifiedName(store: MetadataStore, suffix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let offset = 0; ; offset += 10_000) {
    const page = await store.searchBasic({ typeName: "hive_db", query: suffix, limit: 10_000, offset, excludeDeletedEntities: false });
    for (const e of page.entities) {
      const qn = String(e.attributes.qualifiedName);
      counts.set(qn, (counts.get(qn) ?? 0) + 1);
    }
    if (page.entities.length < 10_000) return counts;
  }
}

export interface TopicRecords {
  topic: string;
  /** Per partition: offsets [low, high) hold the records. */
  partitions: { partition: number; low: number; high: number }[];
}

/** Positions of the topic whose application the store has not recorded. */
export async function unappliedPositions(store: MetadataStore, records: TopicRecords, among?: { partition: number; offset: number }[]): Promise<{ partition: number; offset: number }[]> {
  const candidates =
    among ??
    records.partitions.flatMap((p) => Array.from({ length: p.high - p.low }, (_, i) => ({ partition: p.partition, offset: p.low + i })));
  const out: { partition: number; offset: number }[] = [];
  for (const c of candidates) {
    if (!(await store.isHookApplied({ topic: records.topic, partition: c.partition, offset: String(c.offset) }))) out.push(c);
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
  /** Entities of messages at another version than 0, or not ACTIVE. */
  changed: { n: number; version: number; status: string }[];
}

/** (2) */
export async function checkHooks(
  store: MetadataStore,
  records: TopicRecords,
  published: number,
  acknowledged: ReadonlySet<number>,
  unapplied: { partition: number; offset: number }[],
): Promise<HookCheck> {
  const counts = await countByQualifiedName(store, HOOK_SUFFIX);
  const missing: number[] = [];
  const duplicated: HookCheck["duplicated"] = [];
  const changed: HookCheck["changed"] = [];
  let missingCount = 0;
  let duplicatedCount = 0;
  let changedCount = 0;
  for (let n = 0; n < published; n++) {
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

export interface RestCheck {
  ok: boolean;
  acknowledged: number;
  /** Acknowledged writes whose entity is not there (or not ACTIVE). */
  missing: { qualifiedName: string; status: string }[];
  missingCount: number;
  /** Acknowledged with one guid, stored under another. */
  wrongGuid: { qualifiedName: string; acked: string; stored: string }[];
  wrongGuidCount: number;
  /** Attempted but never acknowledged, and there anyway (allowed: the answer was lost). */
  unacknowledgedPresent: number;
}

/** (3), over every writer's acknowledgements. */
export async function checkRestWrites(store: MetadataStore, writers: readonly { id: number; acks: readonly AckedWrite[]; attempted: number }[]): Promise<RestCheck> {
  const counts = await countByQualifiedName(store, REST_SUFFIX);
  const missing: RestCheck["missing"] = [];
  const wrongGuid: RestCheck["wrongGuid"] = [];
  let missingCount = 0;
  let wrongGuidCount = 0;
  let acknowledged = 0;
  let unacknowledgedPresent = 0;
  for (const writer of writers) {
    acknowledged += writer.acks.length;
    for (const ack of writer.acks) {
      const found = await store.getByUniqueAttribute("hive_db", ack.qualifiedName, { minExtInfo: true });
      if (!found || found.entity.status !== "ACTIVE") {
        missingCount++;
        if (missing.length < EXAMPLES) missing.push({ qualifiedName: ack.qualifiedName, status: found?.entity.status ?? "MISSING" });
        continue;
      }
      if (ack.guid !== null && found.entity.guid !== ack.guid) {
        wrongGuidCount++;
        if (wrongGuid.length < EXAMPLES) wrongGuid.push({ qualifiedName: ack.qualifiedName, acked: ack.guid, stored: found.entity.guid });
      }
    }
    const acked = new Set(writer.acks.map((a) => a.n));
    for (let n = 0; n < writer.attempted; n++) if (!acked.has(n) && counts.has(restQualifiedName(writer.id, n))) unacknowledgedPresent++;
  }
  return { ok: missingCount === 0 && wrongGuidCount === 0, acknowledged, missing, missingCount, wrongGuid, wrongGuidCount, unacknowledgedPresent };
}

/**
 * (5) Write availability between `from` and `to` (epoch ms), from the acknowledgement times
 * of every writer (sorted): the longest stretch without an acknowledgement (counted from
 * `from` itself), and when writes were served again for good — the acknowledgement that ended
 * the last stretch of at least `outageMs`, or, when there was no such outage, the first
 * acknowledgement after `from`. `servedAt` is null when writes were not served at the end.
 */
export function writeAvailability(ackTimes: readonly number[], from: number, to: number, outageMs: number): { longestGapMs: number; servedAt: number | null } {
  let previous = from;
  let longestGapMs = 0;
  let first: number | null = null;
  let afterLastOutage: number | null = null;
  for (const at of ackTimes) {
    if (at < from) continue;
    if (at > to) break;
    const gap = at - previous;
    longestGapMs = Math.max(longestGapMs, gap);
    first ??= at;
    if (gap >= outageMs) afterLastOutage = at;
    previous = at;
  }
  longestGapMs = Math.max(longestGapMs, to - previous);
  if (to - previous >= outageMs) return { longestGapMs, servedAt: null };
  return { longestGapMs, servedAt: afterLastOutage ?? first };
}

export interface ServerLogFigure {
  /** Warn and error events of every instance, by event name. */
  byEvent: Record<string, { level: string; count: number }>;
  /**
   * Events that mean a bug rather than a fault being handled: a listener or a step that threw,
   * an unexpected HTTP error, an unhandled rejection.
   */
  suspicious: { instance: string; time: string; event: string; error: string }[];
  suspiciousCount: number;
}

const SUSPICIOUS = /_listener_failed$|^http_unexpected_error$|^passivation_failed$|^election_step_failed$|^uncaught|^unhandled/;

/** Warnings and errors in the instances' logs (pino JSON lines), and the suspicious ones. */
export function scanServerLogs(logs: readonly { instance: string; text: string }[]): ServerLogFigure {
  const byEvent: ServerLogFigure["byEvent"] = {};
  const suspicious: ServerLogFigure["suspicious"] = [];
  let suspiciousCount = 0;
  for (const { instance, text } of logs) {
    for (const line of text.split("\n")) {
      if (!line.startsWith("{") || !(line.includes('"level":"warn"') || line.includes('"level":"error"') || line.includes('"level":"fatal"'))) continue;
      let entry: { level?: string; event?: string; time?: string; error?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      const event = entry.event ?? "(no event)";
      const seen = (byEvent[event] ??= { level: entry.level ?? "?", count: 0 });
      seen.count++;
      if (SUSPICIOUS.test(event)) {
        suspiciousCount++;
        if (suspicious.length < EXAMPLES) suspicious.push({ instance, time: entry.time ?? "?", event, error: String(entry.error ?? "").slice(0, 300) });
      }
    }
  }
  return { byEvent, suspicious, suspiciousCount };
}
