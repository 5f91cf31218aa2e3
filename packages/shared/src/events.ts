/**
 * The one event shape of atlas-ha, kafkajs's instrumentation event: every listener of
 * election-core, ha-state and hook-consumer gets `{ type, timestamp, payload }`.
 */
export interface InstrumentationEvent<
  Events extends object,
  K extends keyof Events = keyof Events,
> {
  readonly type: K;
  /** Wall-clock epoch milliseconds. */
  readonly timestamp: number;
  readonly payload: Events[K];
}

export interface EmitterOptions {
  /** Stamps an event emitted without a timestamp: wall-clock epoch ms. */
  now: () => number;
  /** A listener threw: the emitter's owner logs it; the other listeners still run. */
  onListenerError: (error: unknown, type: PropertyKey) => void;
}

/** A typed event emitter whose `on` returns the unsubscribe function. */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(event: never) => void>>();
  readonly #options: EmitterOptions;

  constructor(options: EmitterOptions) {
    this.#options = options;
  }

  on<K extends keyof Events>(
    type: K,
    listener: (event: InstrumentationEvent<Events, K>) => void,
  ): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    const entry = listener as (event: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Cheap check, so frequent events cost nothing without listeners. */
  has(type: keyof Events): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(type: K, payload: Events[K], timestamp?: number): void {
    const set = this.#listeners.get(type);
    if (set === undefined || set.size === 0) return;
    const event: InstrumentationEvent<Events, K> = {
      type,
      timestamp: timestamp ?? this.#options.now(),
      payload,
    };
    for (const listener of [...set]) {
      try {
        (listener as (event: InstrumentationEvent<Events, K>) => void)(event);
      } catch (error) {
        // A throwing listener must not break its owner's state machine or loop.
        this.#options.onListenerError(error, type);
      }
    }
  }
}

/**
 * An event that also carries its payload's fields at the top level: what election-core and
 * ha-state listeners get, so that listeners written for their earlier flat payloads
 * (`({ epoch, at }) => …`) keep working. Deprecated in favour of `event.payload`.
 */
export type FlatEvent<Events extends object, K extends keyof Events> = Events[K] &
  InstrumentationEvent<Events, K>;

/** `event` with its payload's fields copied to the top level (`type`, `timestamp`, `payload` win). */
export function flatEvent<Events extends object, K extends keyof Events>(
  event: InstrumentationEvent<Events, K>,
): FlatEvent<Events, K> {
  return { ...(event.payload as object), ...event } as FlatEvent<Events, K>;
}
