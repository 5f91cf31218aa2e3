// (1) The write log: monotone in epoch along the store's commit order.
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { EXAMPLES } from "./common.js";

type WriteRecord = Awaited<ReturnType<MetadataStore["writeLog"]>>[number];

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
