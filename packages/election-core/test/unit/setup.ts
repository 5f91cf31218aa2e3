/**
 * A group of participants on the fake ZooKeeper with a manual clock, recording every event.
 * Shared by the recipe's unit tests.
 */
import {
  createElection,
  type Election,
  type ElectionEvents,
  type ElectionOptions,
} from "../../src/index.js";
import { FakeEnsemble, ManualClock, type FakeSession } from "../../src/testing/index.js";

export function setup(count = 0, extra: Partial<ElectionOptions> = {}) {
  const zk = new FakeEnsemble();
  const clock = new ManualClock();
  const events: { id: string; type: keyof ElectionEvents; payload: Record<string, unknown> }[] = [];
  const elections: Election[] = [];
  const add = (id: string, more: Partial<ElectionOptions> = {}) => {
    const e = createElection({
      connect: "zk:2181",
      id,
      sessionTimeoutMs: 3000,
      sessionFactory: zk.factory,
      clock,
      random: () => 0.5,
      ...extra,
      ...more,
    });
    for (const type of [
      "leader",
      "follower",
      "suspended",
      "lost",
      "error",
      "connection",
    ] as const) {
      e.on(type, (payload) =>
        events.push({ id, type, payload: payload as unknown as Record<string, unknown> }),
      );
    }
    elections.push(e);
    return e;
  };
  for (let i = 0; i < count; i++) add(`p${i + 1}`);
  const session = (e: Election) => zk.sessions.get(e.zk.sessionId) as FakeSession;
  const of = (id: string, type: keyof ElectionEvents) =>
    events.filter((x) => x.id === id && x.type === type);
  // In line order (the sequence suffix), like the recipe sorts them.
  const children = () =>
    [...zk.nodes.keys()]
      .filter((p) => p.startsWith("/apache_atlas/leader_elector_path/"))
      .sort((x, y) => x.slice(-10).localeCompare(y.slice(-10)));
  return { zk, clock, events, elections, add, session, of, children };
}
