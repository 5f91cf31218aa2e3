import { HookDecodeError } from "../errors.js";
import type { SplitPart } from "./envelope.js";
import type { CompressionKind } from "./model.js";

/**
 * Reassembles split messages (docs/contracts/hooks.md). Parts may arrive in any order and from different
 * partitions. Each part carries an opaque `meta` (the consumer's topic/partition/offset),
 * handed back when the set completes or is evicted, so the consumer knows which records
 * it holds and may not commit past.
 */
export type AddResult<M> =
  | { status: "pending"; msgId: string; received: number; count: number }
  | {
      status: "complete";
      msgId: string;
      count: number;
      compression: CompressionKind;
      text: string;
      parts: M[];
    }
  | { status: "duplicate"; msgId: string; reason: "part_already_received" | "already_assembled" };

export interface EvictedSplit<M> {
  msgId: string;
  count: number;
  received: number;
  /** The metas of the parts that did arrive, by part index. */
  parts: M[];
  firstSeenAt: number;
}

interface PendingSet<M> {
  count: number;
  compression: CompressionKind;
  /**
   * By part index. A Map, not an array of `count` slots: `count` comes off the wire, and a
   * single part claiming 2^31 parts must cost one entry, not gigabytes.
   */
  parts: Map<number, { chunk: string; meta: M }>;
  firstSeenAt: number;
}

export interface SplitAssemblerOptions {
  /** Incomplete sets are dropped this long after their first part arrived. */
  waitMs: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  /** How many assembled msgIds to remember for deduplicating late copies of their parts. */
  rememberAssembled?: number;
}

export class SplitAssembler<M> {
  readonly #pending = new Map<string, PendingSet<M>>();
  /** msgId → time assembled; insertion-ordered, so the oldest go first. */
  readonly #assembled = new Map<string, number>();
  readonly #waitMs: number;
  readonly #now: () => number;
  readonly #remember: number;

  constructor(options: SplitAssemblerOptions) {
    this.#waitMs = options.waitMs;
    this.#now = options.now ?? (() => performance.now());
    this.#remember = options.rememberAssembled ?? 10_000;
  }

  add(part: SplitPart, meta: M): AddResult<M> {
    if (this.#assembled.has(part.msgId)) {
      // A redelivered part of a message already handed on: applying it again would at best
      // repeat the message and at worst pin the partition's commit for the whole wait.
      return { status: "duplicate", msgId: part.msgId, reason: "already_assembled" };
    }
    let set = this.#pending.get(part.msgId);
    if (set === undefined) {
      set = {
        count: part.count,
        compression: part.compression,
        parts: new Map(),
        firstSeenAt: this.#now(),
      };
      this.#pending.set(part.msgId, set);
    } else if (set.count !== part.count || set.compression !== part.compression) {
      throw new HookDecodeError(
        "HOOK_SPLIT_INCONSISTENT",
        `part ${part.index} of split message ${part.msgId} says ${part.count} parts/${part.compression}, ` +
          `earlier parts said ${set.count}/${set.compression}`,
      );
    }
    if (set.parts.has(part.index)) {
      return { status: "duplicate", msgId: part.msgId, reason: "part_already_received" };
    }
    set.parts.set(part.index, { chunk: part.chunk, meta });
    if (set.parts.size < set.count) {
      return { status: "pending", msgId: part.msgId, received: set.parts.size, count: set.count };
    }
    this.#pending.delete(part.msgId);
    this.#rememberAssembled(part.msgId);
    // Every index 0..count-1 is present: indexes are checked against the count, and repeats refused.
    const ordered = [...set.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    return {
      status: "complete",
      msgId: part.msgId,
      count: set.count,
      compression: set.compression,
      text: ordered.map((p) => p.chunk).join(""),
      parts: ordered.map((p) => p.meta),
    };
  }

  /** Drops and returns every set whose first part came more than the wait ago. */
  evictExpired(): EvictedSplit<M>[] {
    const now = this.#now();
    const evicted: EvictedSplit<M>[] = [];
    for (const [msgId, set] of this.#pending) {
      if (now - set.firstSeenAt < this.#waitMs) continue;
      this.#pending.delete(msgId);
      evicted.push({
        msgId,
        count: set.count,
        received: set.parts.size,
        parts: metasOf(set),
        firstSeenAt: set.firstSeenAt,
      });
    }
    // Past the wait, a late part would be dropped anyway; forget assembled ids as old.
    for (const [msgId, at] of this.#assembled) {
      if (now - at < this.#waitMs) break;
      this.#assembled.delete(msgId);
    }
    return evicted;
  }

  /** Monotonic time at which the oldest incomplete set expires; undefined when none is held. */
  nextExpiry(): number | undefined {
    let first: number | undefined;
    for (const set of this.#pending.values()) {
      if (first === undefined || set.firstSeenAt < first) first = set.firstSeenAt;
    }
    return first === undefined ? undefined : first + this.#waitMs;
  }

  /** Forgets every incomplete set (their records will be delivered again); returns their metas. */
  clearPending(): M[] {
    const metas = [...this.#pending.values()].flatMap((s) => metasOf(s));
    this.#pending.clear();
    return metas;
  }

  get pendingSets(): number {
    return this.#pending.size;
  }

  get heldParts(): number {
    let n = 0;
    for (const set of this.#pending.values()) n += set.parts.size;
    return n;
  }

  #rememberAssembled(msgId: string): void {
    this.#assembled.set(msgId, this.#now());
    while (this.#assembled.size > this.#remember) {
      const oldest = this.#assembled.keys().next();
      if (oldest.done === true) break;
      this.#assembled.delete(oldest.value);
    }
  }
}

/** The metas of the parts a set holds, by part index. */
function metasOf<M>(set: PendingSet<M>): M[] {
  return [...set.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p.meta);
}

/** Cuts `text` into slices of at most `size` characters (base64 is ASCII, so bytes too). */
export function splitText(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks.length > 0 ? chunks : [""];
}
