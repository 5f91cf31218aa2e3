// (1) A new term for every failover, and (7) faults aimed at the active deposed it.
import type { FaultKind } from "../plan.js";

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
