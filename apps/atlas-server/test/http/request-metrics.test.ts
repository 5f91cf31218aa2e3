/**
 * The request histogram (`atlas_http_request_duration_seconds{route,status}`) is atlas-server's
 * own cheap implementation; what a Prometheus scrape reads must be exactly what prom-client's
 * Histogram with the same name, buckets and labels exposes for the same requests.
 */
import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RedirectCounts, RequestDurations } from "../../src/metrics.js";

const REQUESTS: [string, number, number][] = [
  ["/api/atlas/v2/entity", 200, 0.0004],
  ["/api/atlas/v2/entity", 200, 0.001], // on a bucket's bound: counted in that bucket
  ["/api/atlas/v2/entity", 404, 0.03],
  ["/api/atlas/admin/status", 200, 0.0002],
  ["other", 302, 7], // beyond the last bucket: only +Inf
  ["/api/atlas/v2/search", 503, 0.26],
];

function registries() {
  const ours = new Registry();
  const theirs = new Registry();
  for (const r of [ours, theirs]) r.setDefaultLabels({ server_id: "id1" });
  const durations = new RequestDurations(ours);
  const reference = new Histogram({
    name: "atlas_http_request_duration_seconds",
    help: "HTTP requests by route class and status",
    labelNames: ["route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [theirs],
  });
  for (const [route, status, seconds] of REQUESTS) {
    durations.observe(route, status, seconds);
    reference.observe({ route, status: String(status) }, seconds);
  }
  return { ours, theirs, durations };
}

describe("the request duration histogram", () => {
  it("exposes the same text as prom-client's Histogram for the same requests, with the default labels", async () => {
    const { ours, theirs } = registries();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain(
      'atlas_http_request_duration_seconds_bucket{le="0.001",server_id="id1",route="/api/atlas/v2/entity",status="200"} 2',
    );
    expect(text).toContain(
      'atlas_http_request_duration_seconds_count{server_id="id1",route="other",status="302"} 1',
    );
  });

  it("answers the JSON form as prom-client does, and starts again from zero on reset", async () => {
    const { ours, theirs, durations } = registries();
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    durations.reset();
    expect(await ours.metrics()).not.toContain("atlas_http_request_duration_seconds_bucket");
  });
});

describe("the redirect counter", () => {
  /** Ours next to a prom-client Counter incremented on every redirect, as before. */
  function counters() {
    const ours = new Registry();
    const theirs = new Registry();
    for (const r of [ours, theirs]) r.setDefaultLabels({ server_id: "id1" });
    const counts = new RedirectCounts(ours);
    const reference = new Counter({
      name: "atlas_http_redirects_total",
      help: "Requests a passive redirected to the active",
      labelNames: ["status"],
      registers: [theirs],
    });
    const redirect = (status: number) => {
      counts.inc(status);
      reference.inc({ status: String(status) });
    };
    return { ours, theirs, counts, redirect };
  }

  it("shows on every scrape exactly what counting each redirect in prom-client shows", async () => {
    const { ours, theirs, redirect } = counters();
    expect(await ours.metrics()).toBe(await theirs.metrics()); // nothing yet: no series
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) redirect(i % 3 === 0 ? 307 : 302);
      const text = await ours.metrics();
      expect(text).toBe(await theirs.metrics());
      expect(text).toContain(
        `atlas_http_redirects_total{status="302",server_id="id1"} ${(round + 1) * 666}`,
      );
      expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    }
  });

  it("holds a bounded number of statuses between scrapes, and loses none past the bound", async () => {
    const { ours, theirs, counts, redirect } = counters();
    for (let i = 0; i < 10_000; i++) {
      redirect(300 + (i % 97)); // far more distinct statuses than a passive answers
      expect(counts.pending).toBeLessThanOrEqual(RedirectCounts.MAX_PENDING);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(counts.pending).toBe(0);
  });
});
