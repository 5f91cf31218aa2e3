/**
 * Prometheus metrics of one instance (docs/contracts/http.md `/api/atlas/admin/metrics/prometheus`): state,
 * epoch, transitions, failover (activation) durations, redirects, hook messages and lag,
 * failed logins, request durations. One registry per server object (tests run several).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const STATES = ["PASSIVE", "BECOMING_ACTIVE", "ACTIVE", "BECOMING_PASSIVE"] as const;

export function createMetrics(serverId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ server_id: serverId });
  collectDefaultMetrics({ register: registry, prefix: "atlas_process_" });
  const m = {
    registry,
    state: new Gauge({
      name: "atlas_ha_state",
      help: "1 for the current service state, 0 for the others",
      labelNames: ["state"],
      registers: [registry],
    }),
    epoch: new Gauge({
      name: "atlas_ha_epoch",
      help: "Epoch (fencing token) of the current or last leadership term",
      registers: [registry],
    }),
    transitions: new Counter({
      name: "atlas_ha_transitions_total",
      help: "Service state transitions",
      labelNames: ["to"],
      registers: [registry],
    }),
    activation: new Histogram({
      name: "atlas_ha_activation_duration_seconds",
      help: "Time from BECOMING_ACTIVE to ACTIVE (the instance's share of a failover)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    redirects: new RedirectCounts(registry),
    unavailable: new Counter({
      name: "atlas_http_unavailable_total",
      help: "Requests answered 503 (transitional, no known active)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    proxied: new Counter({
      name: "atlas_http_proxied_total",
      help: "Requests a passive in proxy mode forwarded to the active, by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    requests: new RequestDurations(registry),
    notificationsPosted: new Counter({
      name: "atlas_notifications_posted_total",
      help: "Hook messages posted over REST (v2/notification/topic) and acknowledged by Kafka",
      labelNames: ["topic"],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: "atlas_auth_failures_total",
      help: "Failed HTTP Basic logins",
      labelNames: ["reason"],
      registers: [registry],
    }),
    hookProcessed: new Gauge({
      name: "atlas_hook_messages_processed",
      help: "Hook messages applied by this instance's consumer (since start)",
      registers: [registry],
    }),
    hookFailed: new Gauge({
      name: "atlas_hook_messages_failed",
      help: "Hook messages sent to the failed-messages log",
      registers: [registry],
    }),
    hookRetried: new Gauge({
      name: "atlas_hook_messages_retried",
      help: "Hook message attempts retried",
      registers: [registry],
    }),
    hookLag: new Gauge({
      name: "atlas_hook_consumer_lag",
      help: "Messages behind the end of each partition",
      labelNames: ["topic", "partition"],
      registers: [registry],
    }),
  };
  for (const s of STATES) m.state.set({ state: s }, s === "PASSIVE" ? 1 : 0);
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5] as const;

/** One (route, status) series of the request histogram: counts per bucket, sum, count. */
interface RequestCell {
  labels: { route: string; status: string };
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * `atlas_http_request_duration_seconds{route,status}`, observed on every request. prom-client's
 * Histogram validates and hashes the label object on each observe (~1.5 µs, a visible share of
 * a 302 or a status probe next to a bare app, docs/decisions.md); here a request finds its
 * series by two map lookups and bumps a counter. The registry exposes it in the same format as
 * a prom-client Histogram (it reads metrics through `get()`/`getForPromString()`), with the
 * registry's default labels (server_id) added there as for every other metric.
 */
export class RequestDurations {
  readonly name = "atlas_http_request_duration_seconds";
  readonly help = "HTTP requests by route class and status";
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly labelNames = ["route", "status"];
  #cells = new Map<string, Map<number, RequestCell>>();

  constructor(registry: Registry) {
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  /** One request of `route` (its class) answered with `status`, taking `seconds`. */
  observe(route: string, status: number, seconds: number): void {
    let byStatus = this.#cells.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.#cells.set(route, byStatus);
    }
    let cell = byStatus.get(status);
    if (cell === undefined) {
      cell = {
        labels: { route, status: String(status) },
        buckets: new Float64Array(REQUEST_BUCKETS.length),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, cell);
    }
    for (let i = 0; i < REQUEST_BUCKETS.length; i++) {
      if (seconds <= REQUEST_BUCKETS[i]!) {
        cell.buckets[i]!++;
        break;
      }
    }
    cell.sum += seconds;
    cell.count++;
  }

  /** As prom-client's Histogram: cumulative buckets, +Inf, sum and count per series. */
  getForPromString() {
    const name = this.name;
    const values: {
      labels: Record<string, string | number>;
      sharedLabels: Record<string, string>;
      value: number;
      metricName: string;
      exemplar?: null;
    }[] = [];
    for (const byStatus of this.#cells.values()) {
      for (const cell of byStatus.values()) {
        let acc = 0;
        for (let i = 0; i < REQUEST_BUCKETS.length; i++) {
          acc += cell.buckets[i]!;
          values.push({
            labels: { le: REQUEST_BUCKETS[i]! },
            sharedLabels: cell.labels,
            value: acc,
            metricName: `${name}_bucket`,
            exemplar: null,
          });
        }
        values.push(
          {
            labels: { le: "+Inf" },
            sharedLabels: cell.labels,
            value: cell.count,
            metricName: `${name}_bucket`,
            exemplar: null,
          },
          { labels: {}, sharedLabels: cell.labels, value: cell.sum, metricName: `${name}_sum` },
          {
            labels: {},
            sharedLabels: cell.labels,
            value: cell.count,
            metricName: `${name}_count`,
          },
        );
      }
    }
    return Promise.resolve({
      name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** The JSON form (registry.getMetricsAsJSON): each value's labels in one object. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  reset(): void {
    this.#cells.clear();
  }
}

/**
 * `atlas_http_redirects_total{status}`, counted on every redirect a passive answers.
 * prom-client's `inc({ status })` validates and hashes the label object on each call (~0.5–1 µs,
 * a share of a 302 next to a bare app, docs/decisions.md); here a redirect adds one to a plain
 * number per status, and those go into the prom-client Counter when a registry reads it (its
 * `collect`), so every scrape shows what counting each redirect there would have shown.
 */
export class RedirectCounts {
  /** Distinct statuses held between two reads (302 and 307 in practice); more are added at once. */
  static readonly MAX_PENDING = 16;
  readonly counter: Counter<"status">;
  #pending = new Map<number, number>();

  constructor(registry: Registry) {
    this.counter = new Counter({
      name: "atlas_http_redirects_total",
      help: "Requests a passive redirected to the active",
      labelNames: ["status"],
      registers: [registry],
      collect: () => this.flush(),
    });
  }

  /** One redirect answered with `status`. */
  inc(status: number): void {
    const n = this.#pending.get(status);
    if (n !== undefined) {
      this.#pending.set(status, n + 1);
      return;
    }
    if (this.#pending.size >= RedirectCounts.MAX_PENDING) this.flush();
    this.#pending.set(status, 1);
  }

  /** Statuses counted since the last read (bounded by {@link RedirectCounts.MAX_PENDING}). */
  get pending(): number {
    return this.#pending.size;
  }

  /** Hands the counts to the prom-client Counter. */
  flush(): void {
    for (const [status, n] of this.#pending) this.counter.inc({ status: String(status) }, n);
    this.#pending.clear();
  }
}

export function setState(metrics: Metrics, state: string): void {
  for (const s of STATES) metrics.state.set({ state: s }, s === state ? 1 : 0);
}
