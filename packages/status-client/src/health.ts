import type { ResolvedProbeOptions } from "./options.js";

export const HEALTH_PATH = "api/atlas/admin/health";

/** One partition's hook-consumer lag, as the instance reports it. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** A time this instance became ACTIVE (atlas-ha's `admin/health` `failovers`). */
export interface Failover {
  /** When it became ACTIVE (ISO 8601). */
  at: string;
  epoch: number | null;
  serverId: string;
  address: string;
  /** From the former active's registration gone to ACTIVE here; null when none was seen before. */
  tookMs: number | null;
  /** BECOMING_ACTIVE → ACTIVE (the activation handlers). */
  activationMs: number | null;
  /** The active address seen before, when one was. */
  previousActive: string | null;
}

/**
 * The detail an atlas-ha instance gives on `GET /api/atlas/admin/health` (Apache Atlas has no
 * such endpoint: `health` is then null). Fields the instance does not send are null or empty.
 */
export interface InstanceHealth {
  serverId: string | null;
  state: string | null;
  /** When the instance entered its state (ISO 8601). */
  since: string | null;
  epoch: number | null;
  /** ZooKeeper session state (`CONNECTED`, `SUSPENDED`, …) or `STANDALONE`. */
  zookeeper: string | null;
  activeAddress: string | null;
  /** Hook consumer: null when the instance reports none. */
  hookConsumer: { state: string; totalLag: number | null; lag: PartitionLag[] } | null;
  failovers: Failover[];
  version: string | null;
}

/** Health bodies are a few kilobytes; a larger answer is not one. */
const BODY_LIMIT = 256 * 1024;

/**
 * `GET <base>/api/atlas/admin/health`, redirects not followed. Resolves to null for anything
 * that is not an atlas-ha health answer (Apache Atlas, an error, a timeout): the state itself
 * comes from the status probe, the health only adds detail.
 */
export async function fetchHealth(
  base: string,
  opts: Pick<ResolvedProbeOptions, "fetch" | "timeoutMs">,
  signal?: AbortSignal,
): Promise<InstanceHealth | null> {
  // One controller for the timeout and the caller's signal (AbortSignal.any needs Node 20.3).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  const onAbort = (): void => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await opts.fetch(`${base}/${HEALTH_PATH}`, {
      method: "GET",
      redirect: "manual",
      headers: { accept: "application/json", "user-agent": "atlas-ha-status-client" },
      signal: controller.signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      return null;
    }
    const text = await response.text();
    if (text.length > BODY_LIMIT) return null;
    return parseHealth(JSON.parse(text));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Keeps the fields of a health body that have the expected types; null when it is not an object. */
export function parseHealth(body: unknown): InstanceHealth | null {
  if (!isObject(body)) return null;
  const consumer = isObject(body.hookConsumer) ? body.hookConsumer : null;
  return {
    serverId: str(body.serverId),
    state: str(body.state),
    since: str(body.since),
    epoch: num(body.epoch),
    zookeeper: str(body.zookeeper),
    activeAddress: str(body.activeAddress),
    hookConsumer:
      consumer === null
        ? null
        : {
            state: str(consumer.state) ?? "unknown",
            totalLag: num(consumer.totalLag),
            lag: list(consumer.lag).flatMap((l) => {
              const topic = str(l.topic);
              const partition = num(l.partition);
              const lag = num(l.lag);
              return topic !== null && partition !== null && lag !== null
                ? [{ topic, partition, lag }]
                : [];
            }),
          },
    failovers: list(body.failovers).flatMap((f) => {
      const at = str(f.at);
      const serverId = str(f.serverId);
      const address = str(f.address);
      if (at === null || serverId === null || address === null) return [];
      return [
        {
          at,
          epoch: num(f.epoch),
          serverId,
          address,
          tookMs: num(f.tookMs),
          activationMs: num(f.activationMs),
          previousActive: str(f.previousActive),
        },
      ];
    }),
    version: str(body.version),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
