import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { Participants } from "./helpers.js";

// Real server: a standalone ZooKeeper.
describe("failing leadership work", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  let group: Participants;
  afterEach(async (context) => {
    if (context.task.result?.state === "fail") group?.dumpLogs();
    await group?.closeAll();
  });

  it("makes the participant give up, lets another lead, and retries with back-off rather than in a tight loop", async () => {
    group = new Participants();
    let attempts = 0;
    const broken = group.add({
      connect: zk().connectString,
      id: "broken",
      zkRoot: "/failing-work",
      sessionTimeoutMs: 4000,
      retryBaseMs: 200,
      retryMaxMs: 1600,
      onLeadership: async () => {
        attempts++;
        throw new Error("store unreachable");
      },
    });
    await broken.start();
    // Alone, it keeps trying: with a 200 ms base doubling to 1.6 s, ~2.6 s allows at most
    // a handful of attempts; a tight loop would make hundreds.
    const errors = () => group.events.filter((e) => e.id === "broken" && e.type === "error");
    const { waitFor } = await import("@atlas-ha/testkit");
    await waitFor(() => errors().length >= 3, { timeoutMs: 10_000, what: "three failed attempts" });
    const codes = errors().map(
      (e) => (e.payload as { error: { code: string; attempt: number; retryInMs: number } }).error,
    );
    expect(codes.map((c) => c.code)).toEqual(codes.map(() => "ELECTION_LEADERSHIP_FAILED"));
    expect(codes.map((c) => c.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    // Jittered exponential: attempt n waits between half and all of base·2^(n-1).
    codes.slice(0, 3).forEach((c, i) => {
      const full = 200 * 2 ** i;
      expect(c.retryInMs).toBeGreaterThanOrEqual(full / 2);
      expect(c.retryInMs).toBeLessThanOrEqual(full);
    });

    const healthy = group.add({
      connect: zk().connectString,
      id: "healthy",
      zkRoot: "/failing-work",
      sessionTimeoutMs: 4000,
    });
    await healthy.start();
    const leader = await group.oneLeader(10_000);
    expect(leader.id).toBe("healthy");
    const attemptsThen = attempts;
    // Once another leads, the broken one rejoins behind it and stops being asked to lead.
    await waitFor(async () => (await healthy.getParticipants()).length === 2, {
      timeoutMs: 10_000,
      what: "the broken participant to rejoin",
    });
    expect(attempts).toBe(attemptsThen);
    expect(attempts).toBeLessThan(10);
    expect(broken.isLeader()).toBe(false);
  });
});
