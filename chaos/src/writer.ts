/**
 * The REST side of the workload: a client that keeps creating entities the way a user of the
 * group would — find the active with `findActive` (status-client), POST to it, follow a
 * passive's 307 once, and on anything else find the active again and retry.
 *
 * Several writers may run side by side (more writes in flight when a fault hits). Write `n`
 * of writer `w` creates the hive_db `rest-w-n@chaos-rest` and is retried with the same body until
 * acknowledged (a create repeated after a lost answer is an upsert that changes nothing), so
 * the acknowledged writes are exactly the ones the checker must find afterwards.
 */
import { findActive } from "@atlas-ha/status-client";
import { sleep, type Logger } from "./log.js";

export const REST_SUFFIX = "@chaos-rest";

export function restQualifiedName(writer: number, n: number): string {
  return `rest-${writer}-${n}${REST_SUFFIX}`;
}

export interface AckedWrite {
  writer: number;
  n: number;
  qualifiedName: string;
  /** From the answer's CREATE or UPDATE header; null when the answer named none (a repeat that changed nothing). */
  guid: string | null;
  /** Epoch ms: the attempt that was acknowledged started, and its answer came. */
  startedAt: number;
  ackedAt: number;
  /** The instance that answered 200. */
  url: string;
}

export interface RestWriterOptions {
  /** This writer's number, part of every qualifiedName it writes. */
  id: number;
  urls: string[];
  /** `Basic …` */
  authorization: string;
  /** Pause between two acknowledged writes, ms. */
  intervalMs: number;
  /** A request that takes longer is abandoned (and its outcome unknown), ms. */
  requestTimeoutMs: number;
  logger: Logger;
}

export class RestWriter {
  readonly acks: AckedWrite[] = [];
  /** Attempts that got no 200: 503s, timeouts, refused connections, 5xx. */
  failedAttempts = 0;
  /** Answers other than 200, 307, 503 and network errors: each is suspicious and logged. */
  readonly unexpected: { writer: number; n: number; at: number; status: number; body: string }[] =
    [];
  #o: RestWriterOptions;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #active: string | null = null;
  #tried = 0;

  constructor(options: RestWriterOptions) {
    this.#o = options;
  }

  get id(): number {
    return this.#o.id;
  }

  /** Writes attempted: 0 … attempted-1 (only the last may lack an acknowledgement). */
  get attempted(): number {
    return this.#tried;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** The first acknowledgement of a write that started at or after `t` (epoch ms). */
  firstAckStartedAfter(t: number): AckedWrite | undefined {
    // Acks are in start order (one write at a time): binary search on startedAt.
    let lo = 0;
    let hi = this.acks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.acks[mid]!.startedAt < t) lo = mid + 1;
      else hi = mid;
    }
    return this.acks[lo];
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let n = 0;
    while (!signal.aborted) {
      this.#tried = n + 1;
      const ack = await this.#attempt(n);
      if (ack) {
        this.acks.push(ack);
        n++;
        await sleep(this.#o.intervalMs, signal);
      } else {
        this.failedAttempts++;
        this.#active = null;
        await sleep(100, signal);
      }
    }
  }

  async #findActive(): Promise<string | null> {
    if (this.#active) return this.#active;
    const group = await findActive(this.#o.urls, { timeoutMs: 500 }).catch(() => null);
    this.#active = group?.active?.url ?? null;
    return this.#active;
  }

  async #attempt(n: number): Promise<AckedWrite | null> {
    const writer = this.#o.id;
    const qualifiedName = restQualifiedName(writer, n);
    const body = JSON.stringify({
      entity: {
        typeName: "hive_db",
        attributes: {
          qualifiedName,
          name: `rest-${writer}-${n}`,
          clusterName: "chaos",
          description: `chaos REST write ${n} of writer ${writer}`,
        },
      },
    });
    let url = await this.#findActive();
    if (!url) return null;
    // One redirect at most: a passive's 307 names the active it knows of.
    for (let hop = 0; hop < 2; hop++) {
      const startedAt = Date.now();
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${url}/api/atlas/v2/entity`, {
          method: "POST",
          redirect: "manual",
          headers: { authorization: this.#o.authorization, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(this.#o.requestTimeoutMs),
        });
        text = await response.text();
      } catch (error) {
        this.#o.logger.debug({
          event: "rest_write_failed",
          writer: this.#o.id,
          n,
          url,
          error: (error as Error).message,
        });
        return null;
      }
      if (response.status === 200) {
        const answer = JSON.parse(text) as { mutatedEntities?: Record<string, { guid: string }[]> };
        const header = answer.mutatedEntities?.CREATE?.[0] ?? answer.mutatedEntities?.UPDATE?.[0];
        return {
          writer,
          n,
          qualifiedName,
          guid: header?.guid ?? null,
          startedAt,
          ackedAt: Date.now(),
          url,
        };
      }
      if (response.status === 307 && hop === 0) {
        const location = response.headers.get("location");
        if (!location) return null;
        url = new URL(location).origin;
        continue;
      }
      if (response.status !== 503 && response.status !== 307) {
        this.unexpected.push({
          writer,
          n,
          at: startedAt,
          status: response.status,
          body: text.slice(0, 500),
        });
        this.#o.logger.warn({
          event: "rest_write_unexpected",
          writer,
          n,
          url,
          status: response.status,
          body: text.slice(0, 200),
        });
      }
      return null;
    }
    return null;
  }
}
