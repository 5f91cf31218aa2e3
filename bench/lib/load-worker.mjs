// The load generator, in a process of its own so it never shares an event loop with a
// server under test. Receives autocannon options over IPC, answers a summary.
import autocannon from "autocannon";

process.on("message", async (options) => {
  try {
    const r = await autocannon({
      ...options,
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
    process.send({
      rps: r.requests.total / r.duration,
      total: r.requests.total,
      durationS: r.duration,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      errors: r.errors,
      timeouts: r.timeouts,
      statusCodes: Object.fromEntries(
        Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
      ),
    });
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
