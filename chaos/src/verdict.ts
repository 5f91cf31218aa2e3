/**
 * The run's verdict: one line per check, each PASS or FAIL, and the minimums a run must reach
 * before its checks mean anything. The CLI prints exactly these lines and the report's
 * `passed` is all of them, so nothing printed can fail without failing the run.
 */
import type { ChaosReport } from "./report.js";

/** Per fault injected: a fault cycle lasts ≥ 3 s at 20 messages/s and ~20 writes/s, so these are far below a healthy run. */
export const MIN_HOOK_MESSAGES_PER_FAULT = 10;
export const MIN_REST_WRITES_PER_FAULT = 10;
/** One stale write follows every fault; the periodic ones come on top. */
export const MIN_STALE_WRITES_PER_FAULT = 1;

export interface Minimums {
  faultsPlanned: number;
  faultsInjected: number;
  hookMessagesApplied: number;
  hookMessagesRequired: number;
  restWritesAcknowledged: number;
  restWritesRequired: number;
  staleWritesRefused: number;
  staleWritesRequired: number;
  ok: boolean;
}

export interface Verdict {
  /** Stable name, for tests and the JSON report. */
  id: string;
  /** The promise, as printed. */
  label: string;
  ok: boolean;
  detail: string;
}

/**
 * What the verdicts read of a report: the parts of ChaosReport they judge, and no more, so a
 * test can build one by hand (the faults are only counted).
 */
export interface VerdictInput {
  faults: readonly unknown[];
  settings: Pick<ChaosReport["settings"], "faults">;
  checks: Omit<ChaosReport["checks"], "splitBrain">;
  workload: Pick<ChaosReport["workload"], "restWrites" | "restUnexpectedCount">;
  failedMessages: readonly Pick<ChaosReport["failedMessages"][number], "instance" | "lines">[];
  serverLogs: Pick<ChaosReport["serverLogs"], "suspicious" | "suspiciousCount">;
}

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(2)}%`);

export function minimums(input: VerdictInput): Minimums {
  const injected = input.faults.length;
  const m = {
    faultsPlanned: input.settings.faults,
    faultsInjected: injected,
    hookMessagesApplied: input.checks.hooks.topicRecords - input.checks.hooks.unappliedRecords,
    hookMessagesRequired: MIN_HOOK_MESSAGES_PER_FAULT * Math.max(1, injected),
    restWritesAcknowledged: input.workload.restWrites,
    restWritesRequired: MIN_REST_WRITES_PER_FAULT * Math.max(1, injected),
    staleWritesRefused: input.checks.staleWrites.refused,
    staleWritesRequired: MIN_STALE_WRITES_PER_FAULT * Math.max(1, injected),
  };
  return {
    ...m,
    ok:
      m.faultsInjected >= 1 &&
      m.faultsInjected === m.faultsPlanned &&
      m.hookMessagesApplied >= m.hookMessagesRequired &&
      m.restWritesAcknowledged >= m.restWritesRequired &&
      m.staleWritesRefused >= m.staleWritesRequired,
  };
}

export function verdicts(input: VerdictInput): { minimums: Minimums; verdicts: Verdict[] } {
  const { epochs, terms, staleWrites, store, hooks, counters, rest, deposals, sampler } =
    input.checks;
  const min = minimums(input);
  const failedLines = input.failedMessages.reduce((sum, f) => sum + f.lines, 0);
  const problems = (list: readonly string[]) =>
    list.length
      ? `; ${list.slice(0, 3).join("; ")}${list.length > 3 ? `; … (${list.length})` : ""}`
      : "";
  const out: Verdict[] = [
    {
      id: "epochs",
      label: "(1) writes monotone in epoch",
      ok: epochs.ok,
      detail: `${epochs.writes} writes in ${epochs.terms.length} terms, ${epochs.violationCount} violations${epochs.disorder ? `, ${epochs.disorder} out of seq order` : ""}`,
    },
    {
      id: "terms",
      label: "(1) a new term per failover",
      ok: terms.ok,
      detail:
        `${terms.terms} epochs in the log ${terms.terms >= 1 + terms.failovers ? "≥" : "<"} 1 + ${terms.failovers} failovers; ${terms.newTerms} faults raised the epoch` +
        (terms.failoversWithoutNewTerm.length
          ? `; failover without a new epoch after fault ${terms.failoversWithoutNewTerm.join(", ")}`
          : ""),
    },
    {
      id: "stale-writes",
      label: "(1) stale-epoch writes refused",
      ok: staleWrites.ok,
      detail:
        `${staleWrites.refused} of ${staleWrites.attempts} refused (${staleWrites.byKind.rest} entity writes, ${staleWrites.byKind.hook} hook applications), ` +
        `${staleWrites.accepted} accepted, ${staleWrites.errors} failed otherwise (${staleWrites.retried} needed another try), ${staleWrites.leftovers.entities + staleWrites.leftovers.positions} left in the store; ` +
        `${input.checks.deposedRefused} more refused from deposed instances`,
    },
    {
      id: "store-stamps",
      label: "(1) rows agree with the write log",
      ok: store.ok,
      detail:
        `${store.entities} entities, ${store.offsets} hook positions against ${store.writes} writes` +
        problems(store.problems.map((p) => `${p.count}× ${p.what} (${p.examples[0] ?? ""})`)),
    },
    {
      id: "hooks",
      label: "(2) hook messages applied, creates once",
      ok: hooks.ok,
      detail:
        `${hooks.published} published, ${hooks.topicRecords} records in the topic, ${hooks.unappliedRecords} not applied, ` +
        `${hooks.missing.length} missing, ${hooks.duplicated.length} duplicated, ${hooks.changed.length} creates not at version 0`,
    },
    {
      id: "counters",
      label: "(2) counter updates once, in order",
      ok: counters.ok,
      detail:
        `${counters.updates} updates on ${counters.partitions.length} counters (` +
        counters.partitions
          .map((p) => `p${p.partition}: seq ${p.seq ?? "-"} v${p.version ?? "-"}`)
          .join(", ") +
        `); ${store.skippedRedeliveries} redeliveries skipped by the store` +
        problems(counters.problems.map((p) => `partition ${p.partition}: ${p.problem}`)),
    },
    {
      id: "failed-messages",
      label: "(2) no hook message given up on",
      ok: failedLines === 0,
      detail:
        `${failedLines} lines in the failed-messages logs` +
        problems(
          input.failedMessages.filter((f) => f.lines > 0).map((f) => `${f.instance}: ${f.lines}`),
        ),
    },
    {
      id: "rest",
      label: "(3) acknowledged writes present",
      ok: rest.ok,
      detail: `${rest.acknowledged} acknowledged, ${rest.missingCount} missing, ${rest.wrongGuidCount} under another guid (${rest.unacknowledgedPresent} unacknowledged but present)`,
    },
    {
      id: "rest-unexpected",
      label: "(3) no unexpected REST answers",
      ok: input.workload.restUnexpectedCount === 0,
      detail: `${input.workload.restUnexpectedCount} answers other than 200, 307, 503`,
    },
    {
      id: "sampler",
      label: "(4) the sampler saw the group",
      ok: sampler.ok,
      detail:
        `seen ACTIVE: ${sampler.seenActive.join(", ") || "none"}` +
        (sampler.missedActive.length
          ? `; MISSED ${sampler.missedActive.join(", ")} (found ACTIVE by the runner)`
          : "") +
        (sampler.tooShort ? ` (run too short: not every instance became active)` : "") +
        `; UNREACHABLE outside faults ${sampler.calmUnreachable} of ${sampler.calmSamples} (${pct(sampler.calmUnreachableShare)}, bound ${pct(sampler.bound)})`,
    },
    {
      id: "deposals",
      label: "(7) frozen or cut active deposed",
      ok: deposals.ok,
      detail:
        `${deposals.deposed} of ${deposals.aimed} pauses, stalls and long partitions of the active raised the epoch` +
        problems(
          deposals.notDeposed.map(
            (f) =>
              `fault ${f.index} ${f.kind} of ${f.target}: epoch ${f.epochBefore ?? "-"} → ${f.epochAfter ?? "-"}`,
          ),
        ),
    },
    {
      id: "server-logs",
      label: "    no log line pointing at a bug",
      ok: input.serverLogs.suspiciousCount === 0,
      detail: `${input.serverLogs.suspiciousCount}${input.serverLogs.suspiciousCount ? ` (${[...new Set(input.serverLogs.suspicious.map((e) => e.event))].join(", ")})` : ""}`,
    },
    {
      id: "minimums",
      label: "    minimums reached",
      ok: min.ok,
      detail:
        `faults injected ${min.faultsInjected} of ${min.faultsPlanned} (≥ 1); hook messages applied ${min.hookMessagesApplied} (≥ ${min.hookMessagesRequired}); ` +
        `writes acknowledged ${min.restWritesAcknowledged} (≥ ${min.restWritesRequired}); stale writes refused ${min.staleWritesRefused} (≥ ${min.staleWritesRequired})`,
    },
  ];
  return { minimums: min, verdicts: out };
}
