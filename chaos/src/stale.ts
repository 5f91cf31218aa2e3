/**
 * Stale writes: what a deposed active would still try after a new term began — a REST-style
 * entity write and a hook application, each with an epoch below the highest the store has
 * already seen. They go straight to the shared store, the way an instance's store does
 * (`createStore` on the same database), once a second through the whole run (during faults
 * too) and once after each fault, and every one must be refused with StoreFencedError
 * (code STORE_FENCED). Without them the write log's monotony is true by construction: the
 * log row is written in the very transaction the fence guards, so only a stale write the
 * fence lets through can break it.
 *
 * The epoch alternates between the previous term's (the epoch a deposed instance really
 * holds, when the runner has seen one) and the highest minus one (the closest stale epoch).
 * The store's highest epoch only rises, so an epoch below one it reported is stale whenever
 * the write arrives. A stale write that got through leaves an entity `stale-<i>@chaos-stale`
 * or an applied position of topic `chaos-stale`, which `staleLeftovers` looks for.
 */
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { sleep, type Logger } from "./log.js";

export const STALE_SUFFIX = "@chaos-stale";
export const STALE_TOPIC = "chaos-stale";

export function staleQualifiedName(i: number): string {
  return `stale-${i}${STALE_SUFFIX}`;
}

export interface StaleAttempt {
  i: number;
  kind: "rest" | "hook";
  /** The epoch written with, and the store's highest epoch read just before. */
  epoch: number;
  highestEpoch: number;
  /** Epoch ms. */
  at: number;
  /** Why it was made: "periodic" or "after fault <n>". */
  reason: string;
  outcome: "refused" | "accepted" | "error";
  /** Tries made: a try that failed before reaching the fence (database busy) is repeated. */
  tries: number;
  /** For "error": `name code: message` of the last try. */
  error?: string;
}

const MAX_TRIES = 3;

type ApplyChanges = Parameters<MetadataStore["applyHook"]>[2];

export class StaleWriter {
  readonly attempts: StaleAttempt[] = [];
  #store: MetadataStore;
  #logger: Logger;
  #intervalMs: number;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  /** Epochs the store reported as its highest, ascending. */
  #seen: number[] = [];
  /** One write at a time: the loop and the per-fault injections share the counter. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { store: MetadataStore; intervalMs: number; logger: Logger }) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs;
  }

  start(): void {
    this.#loop ??= (async () => {
      const signal = this.#stop.signal;
      while (!signal.aborted) {
        await sleep(this.#intervalMs, signal);
        if (!signal.aborted) await this.inject("periodic").catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#queue.catch(() => undefined);
  }

  /** One stale write now (null when the store has no epoch yet to be stale against). */
  inject(reason: string): Promise<StaleAttempt | null> {
    const next = this.#queue.then(() => this.#inject(reason));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #inject(reason: string): Promise<StaleAttempt | null> {
    const highestEpoch = await this.#store.highestEpoch();
    if (this.#seen.at(-1) !== highestEpoch) this.#seen.push(highestEpoch);
    if (highestEpoch < 1) return null;
    const i = this.attempts.length;
    const previous = this.#seen.filter((e) => e >= 1 && e < highestEpoch).at(-1);
    const epoch = i % 2 === 0 && previous !== undefined ? previous : highestEpoch - 1;
    const kind = i % 4 < 2 ? "rest" : "hook";
    const entities = {
      entities: [
        {
          typeName: "hive_db",
          attributes: {
            qualifiedName: staleQualifiedName(i),
            name: `stale-${i}`,
            clusterName: "chaos",
            description: `stale write ${i} with epoch ${epoch}`,
          },
        },
      ],
      referredEntities: {},
    };
    const attempt: StaleAttempt = {
      i,
      kind,
      epoch,
      highestEpoch,
      at: Date.now(),
      reason,
      outcome: "accepted",
      tries: 0,
    };
    this.attempts.push(attempt);
    // A write that failed before reaching the fence (the database locked past its busy
    // timeout, e.g. by a paused active holding SQLite's write lock) proves nothing either way:
    // it is tried again, as a deposed instance would, up to MAX_TRIES times.
    for (;;) {
      attempt.tries++;
      try {
        if (kind === "rest") await this.#store.createOrUpdate(epoch, entities, "chaos-stale");
        else
          await this.#store.applyHook(
            epoch,
            { topic: STALE_TOPIC, partition: 0, offset: String(i) },
            [{ kind: "createOrUpdate", entities }] as ApplyChanges,
            "chaos-stale",
          );
        attempt.outcome = "accepted";
        delete attempt.error;
        this.#logger.error({ event: "stale_write_accepted", ...attempt });
        return attempt;
      } catch (error) {
        const e = error as { name?: string; code?: string; message?: string };
        if (e.name === "StoreFencedError" && e.code === "STORE_FENCED") {
          attempt.outcome = "refused";
          delete attempt.error;
          return attempt;
        }
        attempt.outcome = "error";
        attempt.error = `${e.name ?? "?"} ${e.code ?? ""}: ${e.message ?? String(error)}`.slice(
          0,
          300,
        );
        this.#logger.warn({ event: "stale_write_failed", ...attempt });
        if (attempt.tries >= MAX_TRIES) return attempt;
      }
    }
    return attempt;
  }
}

/** What stale writes left in the store: their entities, their applied positions. Both must be 0. */
export async function staleLeftovers(
  store: MetadataStore,
  attempts: readonly StaleAttempt[],
): Promise<{ entities: number; positions: number }> {
  const page = await store.searchBasic({
    typeName: "hive_db",
    query: STALE_SUFFIX,
    limit: 10_000,
    excludeDeletedEntities: false,
  });
  let positions = 0;
  for (const a of attempts) {
    if (
      a.kind === "hook" &&
      (await store.isHookApplied({ topic: STALE_TOPIC, partition: 0, offset: String(a.i) }))
    )
      positions++;
  }
  return { entities: page.entities.length, positions };
}

export interface StaleWriteCheck {
  ok: boolean;
  attempts: number;
  refused: number;
  /** Written despite the stale epoch: the fence let them through. */
  accepted: number;
  /** Failed otherwise than by the fence on every try (neither proof of the fence nor of its absence). */
  errors: number;
  /** Attempts that needed more than one try (the database busy). */
  retried: number;
  byKind: { rest: number; hook: number };
  leftovers: { entities: number; positions: number };
  examples: StaleAttempt[];
}

/** (5) Every stale write refused by the fence, and nothing of them in the store. */
export function checkStaleWrites(
  attempts: readonly StaleAttempt[],
  leftovers: { entities: number; positions: number },
): StaleWriteCheck {
  const count = (o: StaleAttempt["outcome"]) => attempts.filter((a) => a.outcome === o).length;
  const refused = count("refused");
  const accepted = count("accepted");
  const errors = count("error");
  return {
    ok:
      attempts.length > 0 &&
      refused === attempts.length &&
      leftovers.entities === 0 &&
      leftovers.positions === 0,
    attempts: attempts.length,
    refused,
    accepted,
    errors,
    retried: attempts.filter((a) => a.tries > 1).length,
    byKind: {
      rest: attempts.filter((a) => a.kind === "rest").length,
      hook: attempts.filter((a) => a.kind === "hook").length,
    },
    leftovers,
    examples: attempts.filter((a) => a.outcome !== "refused" || a.tries > 1).slice(0, 20),
  };
}
