// Per partition, the offset that may be committed: past every handled record, never past a
// split part still waiting for the rest of its message. (Used by offset-manager.ts.)
import type { TopicPartitionOffset } from "./kafka.js";

interface PartitionState {
  topic: string;
  partition: number;
  /** Last handled offset (records of a partition are handled in order), as text until needed. */
  lastDone: string | undefined;
  /** Offsets of split parts waiting for the rest of their message, with how often each is held. */
  held: Map<bigint, number>;
  committed: bigint | undefined;
}

/**
 * What may be committed, per partition: everything handled, but never past a split part
 * whose message is not assembled yet (docs/contracts/hooks.md). Committing past such a part would lose it if
 * this consumer stopped: the next one would start after it and never see that slice.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionState>();

  #state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`;
    let state = this.#partitions.get(key);
    if (state === undefined) {
      state = { topic, partition, lastDone: undefined, held: new Map(), committed: undefined };
      this.#partitions.set(key, state);
    }
    return state;
  }

  /** The record at `offset` needs nothing more from this consumer. */
  done(topic: string, partition: number, offset: string): void {
    this.#state(topic, partition).lastDone = offset;
  }

  hold(topic: string, partition: number, offset: string): void {
    const held = this.#state(topic, partition).held;
    const key = BigInt(offset);
    held.set(key, (held.get(key) ?? 0) + 1);
  }

  release(topic: string, partition: number, offset: string): void {
    const held = this.#state(topic, partition).held;
    const key = BigInt(offset);
    const n = held.get(key);
    if (n === undefined) return;
    if (n <= 1) held.delete(key);
    else held.set(key, n - 1);
  }

  /** The offset each partition may be committed to, where that is past its last commit. */
  committable(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const state of this.#partitions.values()) {
      if (state.lastDone === undefined) continue;
      let limit = BigInt(state.lastDone) + 1n;
      for (const offset of state.held.keys()) if (offset < limit) limit = offset;
      if (state.committed === undefined || limit > state.committed) {
        out.push({ topic: state.topic, partition: state.partition, offset: limit.toString() });
      }
    }
    return out;
  }

  markCommitted(offsets: TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const state = this.#state(topic, partition);
      const value = BigInt(offset);
      if (state.committed === undefined || value > state.committed) state.committed = value;
    }
  }

  /** After a rebalance the client reads again from the committed offsets: start afresh. */
  reset(): void {
    this.#partitions.clear();
  }
}
