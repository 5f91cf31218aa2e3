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
    redirects: new Counter({
      name: "atlas_http_redirects_total",
      help: "Requests a passive redirected to the active",
      labelNames: ["status"],
      registers: [registry],
    }),
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
    requests: new Histogram({
      name: "atlas_http_request_duration_seconds",
      help: "HTTP requests by route class and status",
      labelNames: ["route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
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

export function setState(metrics: Metrics, state: string): void {
  for (const s of STATES) metrics.state.set({ state: s }, s === state ? 1 : 0);
}
