/**
 * ha-state on election-core's in-memory ZooKeeper and manual clock: no server, no real
 * waiting. What needs a real ensemble (ACLs, `active_server_info` ownership across real
 * sessions, pauses) is tested in test/integration.
 */
import {
  FakeEnsemble,
  ManualClock,
  settle,
  type FakeSession,
} from "@atlas-ha/election-core/testing";
import {
  createHaState,
  type ActiveStateHandler,
  type HaState,
  type HaStateOptions,
} from "../../src/index.js";

const ZK_ROOT = "/apache_atlas";
const ACTIVE_INFO = `${ZK_ROOT}/active_server_info`;

/** What a handler saw, in order: "<server>:<handler>:activate|passivate". */
export interface Recorder {
  log: string[];
  /** Every context handed to a handler, in call order. */
  contexts: { call: string; epoch: number | null; reason?: string; signal?: AbortSignal }[];
  handler(
    name: string,
    order: number,
    behaviour?: Partial<
      Pick<ActiveStateHandler, "instanceIsActive" | "instanceIsPassive" | "timeoutMs">
    >,
  ): ActiveStateHandler;
}

export function recorder(server: string, log: string[] = []): Recorder {
  const contexts: Recorder["contexts"] = [];
  return {
    log,
    contexts,
    handler: (name, order, behaviour = {}) => ({
      name,
      order,
      ...(behaviour.timeoutMs !== undefined ? { timeoutMs: behaviour.timeoutMs } : {}),
      instanceIsActive: async (ctx) => {
        const call = `${server}:${name}:activate`;
        log.push(call);
        contexts.push({ call, epoch: ctx.epoch, signal: ctx.signal });
        await behaviour.instanceIsActive?.(ctx);
      },
      instanceIsPassive: async (ctx) => {
        const call = `${server}:${name}:passivate`;
        log.push(call);
        contexts.push({ call, epoch: ctx.epoch, reason: ctx.reason });
        await behaviour.instanceIsPassive?.(ctx);
      },
    }),
  };
}

/** Lets the fake ensemble and the state machine run until `condition` holds; fails after a bounded number of turns. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 50; turn++) {
    if (condition()) return;
    await settle();
  }
  throw new Error(`never happened: ${what}`);
}

export interface Instance {
  ha: HaState;
  transitions: string[];
  errors: {
    name: string;
    code?: string;
    handler?: string;
    phase?: string;
    timeoutMs?: number;
    epoch?: number;
  }[];
}

export function setup() {
  const ensemble = new FakeEnsemble();
  const clock = new ManualClock();
  const instances: Instance[] = [];
  /** An instance in HA mode on the fake ensemble; its clock is also its election's. */
  const add = (serverId: string, options: Partial<HaStateOptions> = {}): Instance => {
    const ha = createHaState({
      serverId,
      selfAddress: `http://${serverId}.example:21000`,
      clock,
      zookeeper: {
        connect: "zk1:2181",
        sessionTimeoutMs: 3000,
        retryBaseMs: 1000,
        election: { sessionFactory: ensemble.factory, random: () => 0.5 },
      },
      ...options,
    });
    const instance: Instance = { ha, transitions: [], errors: [] };
    ha.on("transition", ({ to, reason }) => instance.transitions.push(`${to}:${reason}`));
    ha.on("error", ({ error }) => instance.errors.push(error as Instance["errors"][number]));
    instances.push(instance);
    return instance;
  };
  /** The fake server-side session of an instance's election. */
  const session = (ha: HaState) => ensemble.sessions.get(ha.election!.zk.sessionId) as FakeSession;
  /** Participant ids in election order, read from the ensemble. */
  const line = () =>
    [...ensemble.nodes.entries()]
      .filter(([path]) => path.startsWith(`${ZK_ROOT}/leader_elector_path/`))
      .sort(([a], [b]) => a.slice(-10).localeCompare(b.slice(-10)))
      .map(([, node]) => node.data.toString("utf8"));
  const activeInfo = () => {
    const node = ensemble.nodes.get(ACTIVE_INFO);
    return node ? { address: node.data.toString("utf8"), owner: node.owner } : null;
  };
  const stopAll = () => Promise.all(instances.map((i) => i.ha.stop()));
  return { ensemble, clock, add, session, line, activeInfo, stopAll };
}
