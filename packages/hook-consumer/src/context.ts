// What the parts of one consumer share (the session, its runner, routing, commits): the
// resolved options, the counters metrics() reports, and the way to emit events.
import type { HookConsumerEventMap, HookConsumerEventType } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { PartitionLag } from "./types.js";

export interface Counters {
  received: number;
  processed: number;
  failed: number;
  retried: number;
  droppedSplits: number;
  duplicateParts: number;
  commits: number;
}

export interface ConsumerContext {
  readonly options: ResolvedOptions;
  /** For the life of the consumer, across sessions. */
  readonly counters: Counters;
  /** The lag at the last commit: what metrics() shows while no session runs. */
  lastLag: PartitionLag[];
  emit<K extends HookConsumerEventType>(type: K, payload: HookConsumerEventMap[K]): void;
  /** Cheap check, so per-message events cost nothing without listeners. */
  hasListeners(type: HookConsumerEventType): boolean;
}

export function newCounters(): Counters {
  return {
    received: 0,
    processed: 0,
    failed: 0,
    retried: 0,
    droppedSplits: 0,
    duplicateParts: 0,
    commits: 0,
  };
}
