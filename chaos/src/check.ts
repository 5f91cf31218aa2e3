/**
 * The checker: what the run must prove, read from the store itself (the write log, the
 * entities, the applied hook positions) and from the status samples.
 *
 *   (1) writes the store accepted are monotone in epoch along its commit order, with a new
 *       term for every failover (`checkEpochs`, `checkTerms`);
 *   (2) every hook record in the topic was applied, every published create's entity exists
 *       exactly once, ACTIVE, at version 0 (`checkHooks`), and each partition's counter ends
 *       at its last seq with one version per update (`checkCounters`);
 *   (3) every REST write acknowledged with 200 is there afterwards;
 *   (4) moments where two instances answered ACTIVE (a figure), meaningful only with the
 *       sampler's coverage (`checkSampler`);
 *   (5) time to recovery of each fault (from the acknowledgement times, `writeAvailability`);
 *   and faults aimed at the active deposed it (`checkDeposals`).
 *
 * The pure parts take plain data, so unit tests can feed them.
 */
import type { MetadataStore } from "@atlas-ha/atlas-server";
import type { FaultKind } from "./plan.js";
import {
  counterQualifiedName,
  counterSeq,
  hookQualifiedName,
  HOOK_SUFFIX,
  messageKind,
} from "./producer.js";
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
  /** Distinct epochs in the log (a term that came back after another counts once). */
  distinctEpochs: number;
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
      if (violations.length < EXAMPLES)
        violations.push({
          seq: w.seq,
          epoch: w.epoch,
          afterSeq: highest.seq,
          afterEpoch: highest.epoch,
        });
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
  return {
    ok: violationCount === 0 && disorder === 0,
    writes: log.length,
    terms,
    byOperation,
    violations,
    violationCount,
    disorder,
    distinctEpochs: new Set(log.map((w) => w.epoch)).size,
  };
}

/** What the term and deposal checks need of a fault's outcome. */
export interface FaultTerms {
  index: number;
  kind: FaultKind;
  /** Who was hit. */
  target: string;
  /** partition-*: aimed at the active or at a passive. */
  spec: { target?: "active" | "passive" };
  activeBefore: string | null;
  activeAfter: string | null;
  /** The store's highest epoch just before the injection (the active's term when the group was whole). */
  epochBefore: number | null;
  /** The active's epoch once the group was whole again. */
  epochAfter: number | null;
}

export interface TermCheck {
  ok: boolean;
  /** Distinct epochs in the write log. */
  terms: number;
  /** Faults after which another instance was active. */
  failovers: number;
  /** Faults after which the active's epoch was higher than before. */
  newTerms: number;
  /** Failovers without a higher epoch: a new active that did not take a new term. */
  failoversWithoutNewTerm: number[];
}

/** (1) The write log holds a term for the first active and one more for every new term the faults brought. */
export function checkTerms(distinctEpochs: number, faults: readonly FaultTerms[]): TermCheck {
  const rose = (f: FaultTerms) =>
    f.epochBefore !== null && f.epochAfter !== null && f.epochAfter > f.epochBefore;
  const failovers = faults.filter(
    (f) => f.activeBefore !== null && f.activeAfter !== null && f.activeBefore !== f.activeAfter,
  );
  const newTerms = faults.filter(rose).length;
  const failoversWithoutNewTerm = failovers.filter((f) => !rose(f)).map((f) => f.index);
  return {
    ok:
      distinctEpochs >= 1 + newTerms &&
      distinctEpochs >= 1 + failovers.length &&
      failoversWithoutNewTerm.length === 0,
    terms: distinctEpochs,
    failovers: failovers.length,
    newTerms,
    failoversWithoutNewTerm,
  };
}

export interface DeposalCheck {
  ok: boolean;
  /** Faults that froze or cut the active for longer than the session timeout. */
  aimed: number;
  /** …after which the active's epoch was higher. */
  deposed: number;
  /** …after which it was not. */
  notDeposed: {
    index: number;
    kind: FaultKind;
    target: string;
    epochBefore: number | null;
    epochAfter: number | null;
  }[];
}

/**
 * (7) A pause, a stall or a long partition of the active outlasts its session: the group must
 * elect a new term (the epoch rises), whoever holds it afterwards. Faults that found no
 * active (the victim was drawn at random) and partitions of a passive are not counted.
 */
export function checkDeposals(faults: readonly FaultTerms[]): DeposalCheck {
  const aimed = faults.filter(
    (f) =>
      f.activeBefore !== null &&
      f.target === f.activeBefore &&
      (f.kind === "pause-active" ||
        f.kind === "stall-active" ||
        f.kind === "zk-follower-isolated" ||
        (f.kind === "partition-long" && f.spec.target === "active")),
  );
  const notDeposed = aimed
    .filter(
      (f) => !(f.epochBefore !== null && f.epochAfter !== null && f.epochAfter > f.epochBefore),
    )
    .map((f) => ({
      index: f.index,
      kind: f.kind,
      target: f.target,
      epochBefore: f.epochBefore,
      epochAfter: f.epochAfter,
    }));
  return {
    ok: notDeposed.length === 0,
    aimed: aimed.length,
    deposed: aimed.length - notDeposed.length,
    notDeposed,
  };
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
      if (examples.length < EXAMPLES)
        examples.push({ at: new Date(s.at).toISOString(), states: [...s.states] });
    }
  }
  return { samples: samples.length, moments, examples, noActive };
}

export interface SamplerInstanceFigure {
  name: string;
  samples: number;
  active: number;
  passive: number;
  /** BECOMING_ACTIVE, BECOMING_PASSIVE, … */
  other: number;
  unreachable: number;
  /** Samples outside every fault window (and after the warm-up), and how many of those were UNREACHABLE. */
  calmSamples: number;
  calmUnreachable: number;
}

export interface SamplerCheck {
  ok: boolean;
  instances: SamplerInstanceFigure[];
  /** Instances the sampler saw ACTIVE at least once. */
  seenActive: string[];
  /** Instances the runner itself found ACTIVE (before or after a fault), through its own status reads. */
  runnerSawActive: string[];
  /** Found ACTIVE by the runner, never by the sampler: the sampler missed answers. */
  missedActive: string[];
  /** Not every instance was active during the run (by either view): the run was too short to cover them all. */
  tooShort: boolean;
  calmSamples: number;
  calmUnreachable: number;
  calmUnreachableShare: number | null;
  /** Fails above this share of UNREACHABLE outside fault windows. */
  bound: number;
}

/**
 * The sampler's coverage, without which (4) means nothing: every instance the runner found
 * ACTIVE must have been seen ACTIVE by the sampler too (an instance that was never active by
 * either view only makes the run too short — said, not failed), and outside the fault
 * windows — every process running, the group whole — at most `bound` of the answers may be
 * UNREACHABLE. `windows` are the faults' [injection, group whole again]; samples before
 * `calmFrom` (the warm-up) are not calm either.
 */
export function checkSampler(
  samples: readonly Sample[],
  names: readonly string[],
  windows: readonly { from: number; to: number }[],
  runnerSawActive: readonly string[],
  options: { calmFrom: number; bound: number },
): SamplerCheck {
  const instances: SamplerInstanceFigure[] = names.map((name) => ({
    name,
    samples: 0,
    active: 0,
    passive: 0,
    other: 0,
    unreachable: 0,
    calmSamples: 0,
    calmUnreachable: 0,
  }));
  for (const s of samples) {
    const calm = s.at >= options.calmFrom && !windows.some((w) => s.at >= w.from && s.at <= w.to);
    s.states.forEach((state, i) => {
      const figure = instances[i];
      if (!figure) return;
      figure.samples++;
      if (state === "ACTIVE") figure.active++;
      else if (state === "PASSIVE") figure.passive++;
      else if (state === "UNREACHABLE") figure.unreachable++;
      else figure.other++;
      if (calm) {
        figure.calmSamples++;
        if (state === "UNREACHABLE") figure.calmUnreachable++;
      }
    });
  }
  const seenActive = instances.filter((i) => i.active > 0).map((i) => i.name);
  const runner = names.filter((n) => runnerSawActive.includes(n));
  const missedActive = runner.filter((n) => !seenActive.includes(n));
  const calmSamples = instances.reduce((sum, i) => sum + i.calmSamples, 0);
  const calmUnreachable = instances.reduce((sum, i) => sum + i.calmUnreachable, 0);
  const calmUnreachableShare = calmSamples === 0 ? null : calmUnreachable / calmSamples;
  return {
    ok:
      missedActive.length === 0 &&
      calmUnreachableShare !== null &&
      calmUnreachableShare <= options.bound,
    instances,
    seenActive,
    runnerSawActive: runner,
    missedActive,
    tooShort: names.some((n) => !seenActive.includes(n) && !runner.includes(n)),
    calmSamples,
    calmUnreachable,
    calmUnreachableShare,
    bound: options.bound,
  };
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
async function countByQualifiedName(
  store: MetadataStore,
  suffix: string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let offset = 0; ; offset += 10_000) {
    const page = await store.searchBasic({
      typeName: "hive_db",
      query: suffix,
      limit: 10_000,
      offset,
      excludeDeletedEntities: false,
    });
    for (const e of page.entities) {
      const raw = e.attributes.qualifiedName;
      const qn = typeof raw === "string" ? raw : JSON.stringify(raw);
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
export async function checkRestWrites(
  store: MetadataStore,
  writers: readonly { id: number; acks: readonly AckedWrite[]; attempted: number }[],
): Promise<RestCheck> {
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
      const found = await store.getByUniqueAttribute("hive_db", ack.qualifiedName, {
        minExtInfo: true,
      });
      if (!found || found.entity.status !== "ACTIVE") {
        missingCount++;
        if (missing.length < EXAMPLES)
          missing.push({
            qualifiedName: ack.qualifiedName,
            status: found?.entity.status ?? "MISSING",
          });
        continue;
      }
      if (ack.guid !== null && found.entity.guid !== ack.guid) {
        wrongGuidCount++;
        if (wrongGuid.length < EXAMPLES)
          wrongGuid.push({
            qualifiedName: ack.qualifiedName,
            acked: ack.guid,
            stored: found.entity.guid,
          });
      }
    }
    const acked = new Set(writer.acks.map((a) => a.n));
    for (let n = 0; n < writer.attempted; n++)
      if (!acked.has(n) && counts.has(restQualifiedName(writer.id, n))) unacknowledgedPresent++;
  }
  return {
    ok: missingCount === 0 && wrongGuidCount === 0,
    acknowledged,
    missing,
    missingCount,
    wrongGuid,
    wrongGuidCount,
    unacknowledgedPresent,
  };
}

/**
 * (5) Write availability between `from` and `to` (epoch ms), from the acknowledgement times
 * of every writer (sorted): the longest stretch without an acknowledgement (counted from
 * `from` itself), and when writes were served again for good — the acknowledgement that ended
 * the last stretch of at least `outageMs`, or, when there was no such outage, the first
 * acknowledgement after `from`. `servedAt` is null when writes were not served at the end.
 */
export function writeAvailability(
  ackTimes: readonly number[],
  from: number,
  to: number,
  outageMs: number,
): { longestGapMs: number; servedAt: number | null } {
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

const SUSPICIOUS =
  /_listener_failed$|^http_unexpected_error$|^passivation_failed$|^election_step_failed$|^uncaught|^unhandled/;

/** Warnings and errors in the instances' logs (pino JSON lines), and the suspicious ones. */
export function scanServerLogs(
  logs: readonly { instance: string; text: string }[],
): ServerLogFigure {
  const byEvent: ServerLogFigure["byEvent"] = {};
  const suspicious: ServerLogFigure["suspicious"] = [];
  let suspiciousCount = 0;
  for (const { instance, text } of logs) {
    for (const line of text.split("\n")) {
      if (
        !line.startsWith("{") ||
        !(
          line.includes('"level":"warn"') ||
          line.includes('"level":"error"') ||
          line.includes('"level":"fatal"')
        )
      )
        continue;
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
        if (suspicious.length < EXAMPLES)
          suspicious.push({
            instance,
            time: entry.time ?? "?",
            event,
            error: String(entry.error ?? "").slice(0, 300),
          });
      }
    }
  }
  return { byEvent, suspicious, suspiciousCount };
}
