import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterEach, describe, expect, it } from "vitest";
import { ChildParticipant } from "./helpers.js";

// Real server: a standalone ZooKeeper; the participants are child processes, one is SIGSTOPped.
describe("a leader paused longer than its session timeout", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  const children: ChildParticipant[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
  });

  it("knows it is no longer leader as soon as it runs again, and never reports leading beside the new leader", async () => {
    const sessionTimeoutMs = 2000;
    for (const id of ["old", "next"]) {
      children.push(new ChildParticipant(zk().connectString, id, sessionTimeoutMs));
      await children.at(-1)!.waitFor("started", 15_000);
    }
    const [old, next] = children as [ChildParticipant, ChildParticipant];
    const before = await old.status();
    expect(before.isLeader).toBe(true);

    old.kill("SIGSTOP");
    const nextStatus = await waitFor(
      async () => {
        const s = await next.status();
        return s.isLeader ? s : undefined;
      },
      { timeoutMs: sessionTimeoutMs + 4000, intervalMs: 20, what: "the other participant to lead" },
    );
    old.kill("SIGCONT");
    // Its very first answer after waking up, before it has heard anything from ZooKeeper:
    // its lease (2/3 of the session timeout since the last confirmed round trip) has lapsed.
    const woke = await old.status();
    expect(woke.isLeader).toBe(false);
    expect(woke.epoch).toBe(before.epoch);
    expect(woke.epoch!).toBeLessThan(nextStatus.epoch!);

    // Afterwards it learns its session expired, rejoins behind, and stays a follower.
    await waitFor(() => old.lines.some((l) => l.type === "lost"), {
      timeoutMs: 15_000,
      what: "the old leader to see its session lost",
    });
    await waitFor(async () => (await old.status()).state === "CONNECTED", {
      timeoutMs: 15_000,
      what: "a new session",
    });
    for (let i = 0; i < 5; i++) {
      const [o, n] = await Promise.all([old.status(), next.status()]);
      expect([o.isLeader, n.isLeader]).toEqual([false, true]);
    }
    // It never printed a "leader" event after waking up.
    expect(old.lines.filter((l) => l.type === "leader")).toHaveLength(1);
  });
});
