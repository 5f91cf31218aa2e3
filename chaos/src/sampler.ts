/**
 * Status samples of every instance, every `intervalMs` (50 ms): one round asks all instances
 * at once (`getStatus` of status-client, short timeout) and is one "moment" for the
 * split-brain count. Rounds do not wait for each other, so a frozen instance costs its own
 * answer (UNREACHABLE after the timeout), never the sampling rate.
 */
import { getStatus, type ProbeState } from "@atlas-ha/status-client";

export interface Sample {
  /** Epoch ms when the round's requests left. */
  at: number;
  /** One state per instance, in the order of the urls. */
  states: ProbeState[];
}

export interface Transition {
  at: number;
  instance: string;
  from: ProbeState | null;
  to: ProbeState;
}

export interface StatusSamplerOptions {
  /** Names and URLs of the instances. */
  instances: { name: string; url: string }[];
  intervalMs: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

export class StatusSampler {
  readonly samples: Sample[] = [];
  /** Per-instance state changes, as the samples saw them (in sample order). */
  readonly transitions: Transition[] = [];
  #o: StatusSamplerOptions;
  #timer: NodeJS.Timeout | undefined;
  #pending = new Set<Promise<void>>();
  #last: (ProbeState | null)[];
  #rounds: Sample[] = [];
  /** Start times of the rounds still waiting for an answer. */
  #inFlight = new Set<number>();

  constructor(options: StatusSamplerOptions) {
    this.#o = options;
    this.#last = options.instances.map(() => null);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#round(), this.#o.intervalMs);
  }

  /** Stops sampling; resolves once the rounds in flight have answered. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#pending]);
    this.#flush();
  }

  /** Samples taken from `from` to `to` (epoch ms). */
  between(from: number, to: number): Sample[] {
    this.#flush();
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  #round(): void {
    const at = Date.now();
    this.#inFlight.add(at);
    const round = Promise.all(
      this.#o.instances.map((i) =>
        getStatus(i.url, { timeoutMs: this.#o.timeoutMs }).then(
          (s) => s.state,
          (): ProbeState => "UNREACHABLE",
        ),
      ),
    ).then((states) => {
      this.#inFlight.delete(at);
      this.#rounds.push({ at, states });
    });
    this.#pending.add(round);
    void round.finally(() => this.#pending.delete(round));
  }

  /**
   * Rounds finish out of order (one slow answer holds its round); a round joins `samples`
   * once every round started before it has finished, so samples stay in start order.
   */
  #flush(): void {
    const oldestInFlight = Math.min(...this.#inFlight);
    const ready = this.#rounds.filter((r) => r.at < oldestInFlight).sort((a, b) => a.at - b.at);
    if (ready.length === 0) return;
    this.#rounds = this.#rounds.filter((r) => r.at >= oldestInFlight);
    for (const round of ready) {
      this.samples.push(round);
      round.states.forEach((state, i) => {
        if (state !== this.#last[i]) {
          this.transitions.push({
            at: round.at,
            instance: this.#o.instances[i]!.name,
            from: this.#last[i]!,
            to: state,
          });
          this.#last[i] = state;
        }
      });
    }
  }
}
