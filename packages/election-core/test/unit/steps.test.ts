import { describe, expect, it } from "vitest";
import { ZooKeeperError } from "../../src/errors.js";
import { Steps } from "../../src/steps.js";
import { ManualClock } from "../../src/testing/index.js";

/** Steps with recorded fatal errors; `closed` says whether the participant was closed. */
function steps(closed: () => boolean) {
  const fatal: Error[] = [];
  const queue = new Steps(
    { clock: new ManualClock(), retryBaseMs: 10, retryMaxMs: 20, random: () => 0.5 },
    {
      log: () => undefined,
      closed,
      connected: () => true,
      onFatal: (error) => fatal.push(error),
      onError: () => undefined,
      retry: async () => undefined,
    },
  );
  /** Queues a step that records it ran; resolves with "ran" or why it was skipped. */
  const outcome = () =>
    new Promise<string>((resolve) =>
      queue.run(
        async () => resolve("ran"),
        (why) => resolve(why),
      ),
    );
  return { queue, fatal, outcome };
}

describe("the election's steps", () => {
  it("turn a NOAUTH into ELECTION_NOT_AUTHORIZED, fatal: nothing queued behind it runs, and each says it was skipped", async () => {
    const { queue, fatal, outcome } = steps(() => false);
    queue.run(async () => {
      throw new ZooKeeperError("ZK_NOAUTH", "children /apache_atlas/leader_elector_path", "no");
    });
    const [behind, later] = [outcome(), outcome()];
    expect(await behind).toBe("fatal");
    expect(await later).toBe("fatal");
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      name: "ElectionNotAuthorizedError",
      code: "ELECTION_NOT_AUTHORIZED",
      operation: "children /apache_atlas/leader_elector_path",
    });
    expect(await outcome()).toBe("fatal"); // queued after the fact, too
  });

  it("say a step queued after close was skipped, and run it while open", async () => {
    let closed = false;
    const { outcome } = steps(() => closed);
    expect(await outcome()).toBe("ran");
    closed = true;
    expect(await outcome()).toBe("closed");
  });
});
