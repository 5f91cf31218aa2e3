/**
 * The fault plan: which faults, in which order, for how long — decided from the seed before
 * anything starts, so one seed always gives the same sequence. What the plan cannot know
 * (which instance is active, which ZooKeeper node leads) is looked up when the fault runs,
 * and any choice among those candidates uses the fault's own `choice` number, also seeded.
 */
import { ChaosOptionsError } from "./errors.js";
import { createRandom } from "./random.js";

export const FAULT_KINDS = [
  "kill-active",
  "term-active",
  "pause-active",
  "stall-active",
  "kill-zk-follower",
  "kill-zk-leader",
  "zk-quorum-loss",
  "kafka-restart",
  "partition-short",
  "partition-long",
  "held-transaction",
  "term-during-activation",
  "zk-follower-isolated",
  "election-path-deleted",
  "acl-rolling-restart",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** One line per kind, for --help and the README. */
export const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  "kill-active": "SIGKILL the active instance; start it again after the hold",
  "term-active": "SIGTERM the active instance (clean hand-over); start it again after the hold",
  "pause-active": "SIGSTOP the active for longer than the session timeout, then SIGCONT",
  "stall-active":
    "block the active's event loop for longer than the session timeout (debug trigger)",
  "kill-zk-follower": "SIGKILL a ZooKeeper follower; start it again after the hold",
  "kill-zk-leader": "SIGKILL the ZooKeeper leader; start it again after the hold",
  "zk-quorum-loss": "SIGKILL two ZooKeeper nodes (no quorum); start both again after the hold",
  "kafka-restart":
    "stop (SIGTERM) or kill (SIGKILL) the Kafka broker; start it again after the hold",
  "partition-short":
    "cut one instance (mostly the active) from ZooKeeper for less than the session timeout",
  "partition-long":
    "cut one instance (mostly the active) from ZooKeeper for longer than the session timeout",
  "held-transaction":
    "a writer frozen inside its store transaction (holding the write lock) while the active is SIGKILLed; the writer is killed after the hold",
  "term-during-activation":
    "as held-transaction, and the instance seen BECOMING_ACTIVE (its fence waiting for the lock) gets SIGTERM",
  "zk-follower-isolated":
    "the active pinned to ZooKeeper's zk-3 (its links to zk-1 and zk-2 cut), then zk-3 cut off from its quorum while still answering its clients",
  "election-path-deleted":
    "the election path deleted under the running group (an operator's deleteall)",
  "acl-rolling-restart":
    "a passive restarted with ZooKeeper ACLs on while the others run without: it must refuse to start (ELECTION_ACL_CONFLICT); then started as before",
};

export interface FaultSpec {
  /** 1-based position in the run. */
  index: number;
  kind: FaultKind;
  /** How long the fault lasts before it is healed (the stall's length for stall-active), ms. */
  holdMs: number;
  /** partition-*: which instance is cut. */
  target?: "active" | "passive";
  /** partition-*: what new connections meet; how live ones end. */
  mode?: "refuse" | "blackhole";
  live?: "drop" | "stall";
  /** kafka-restart: SIGTERM or SIGKILL. */
  signal?: "SIGTERM" | "SIGKILL";
  /** In [0, 1): picks among the candidates known only at run time (which follower, which passive). */
  choice: number;
}

export interface PlanOptions {
  seed: string;
  faults: number;
  sessionTimeoutMs: number;
  /** Kinds to draw from; default all of FAULT_KINDS. */
  kinds?: readonly FaultKind[];
}

/**
 * Kinds are dealt like cards: every round is a seeded shuffle of all enabled kinds, so any
 * `kinds.length` consecutive faults from a round boundary cover every kind once (a 10-fault
 * run sees each of the 10 kinds), and longer runs still vary the order.
 */
export function planFaults(options: PlanOptions): FaultSpec[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  if (!Number.isInteger(options.faults) || options.faults < 0) {
    throw new ChaosOptionsError(
      "faults",
      `must be a whole number ≥ 0, got ${String(options.faults)}`,
    );
  }
  if (kinds.length === 0) throw new ChaosOptionsError("kinds", "needs at least one fault kind");
  for (const kind of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new ChaosOptionsError(
        "kinds",
        `unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(", ")})`,
      );
    }
  }
  const random = createRandom(options.seed);
  const t = options.sessionTimeoutMs;
  const ms = (min: number, max: number) => Math.round(random.between(min, max));
  const plan: FaultSpec[] = [];
  let deck: FaultKind[] = [];
  while (plan.length < options.faults) {
    if (deck.length === 0) deck = random.shuffle(kinds);
    const kind = deck.shift()!;
    const index = plan.length + 1;
    const choice = random.next();
    switch (kind) {
      case "kill-active":
      case "term-active":
        // Long enough for the failover to finish before the old active comes back.
        plan.push({ index, kind, holdMs: ms(1.25 * t, 2 * t), choice });
        break;
      case "pause-active":
      case "stall-active":
        plan.push({ index, kind, holdMs: ms(1.25 * t, 2 * t), choice });
        break;
      case "kill-zk-follower":
      case "kill-zk-leader":
        plan.push({ index, kind, holdMs: ms(1000, 2 * t), choice });
        break;
      case "zk-quorum-loss":
        plan.push({ index, kind, holdMs: ms(0.5 * t, 2 * t), choice });
        break;
      case "kafka-restart":
        plan.push({
          index,
          kind,
          holdMs: ms(0, 3000),
          signal: random.chance(0.5) ? "SIGTERM" : "SIGKILL",
          choice,
        });
        break;
      case "held-transaction":
      case "term-during-activation":
        plan.push({ index, kind, holdMs: ms(1.25 * t, 2 * t), choice });
        break;
      case "zk-follower-isolated":
        plan.push({ index, kind, holdMs: ms(1.5 * t, 2.5 * t), choice });
        break;
      case "election-path-deleted":
      case "acl-rolling-restart":
        plan.push({ index, kind, holdMs: 0, choice });
        break;
      case "partition-short":
      case "partition-long": {
        // Short: under the session timeout, so the session survives; a cut past the lease
        // (2/3 of it) still makes a leader step down and take its term back.
        const holdMs = kind === "partition-short" ? ms(0.2 * t, 0.9 * t) : ms(1.5 * t, 2.5 * t);
        plan.push({
          index,
          kind,
          holdMs,
          target: random.chance(0.75) ? "active" : "passive",
          mode: random.chance(0.5) ? "refuse" : "blackhole",
          live: random.chance(0.5) ? "drop" : "stall",
          choice,
        });
        break;
      }
    }
  }
  return plan;
}

/** `kill-active 6012ms`, `partition-long 9000ms active blackhole/stall`, … */
export function describeFault(spec: FaultSpec): string {
  const extra = [
    spec.target,
    spec.mode && spec.live ? `${spec.mode}/${spec.live}` : undefined,
    spec.signal,
  ].filter(Boolean);
  return `${spec.kind} ${spec.holdMs}ms${extra.length ? ` ${extra.join(" ")}` : ""}`;
}
