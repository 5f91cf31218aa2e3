/**
 * `atlas-server epoch rebase`: after the ZooKeeper ensemble was replaced, lets the store accept
 * the new ensemble's epochs (see ../epoch.ts). It refuses while an instance is ACTIVE (the
 * active publishes active_server_info), and does nothing when the store's highest epoch is
 * within what this ensemble can have produced, so running it by mistake changes nothing.
 */
import { nativeSessionFactory, type ZkSession } from "@atlas-ha/election-core";
import type { ServerConfig } from "../config/index.js";
import { createStore } from "../store/index.js";

export interface RebaseResult {
  outcome: "rebased" | "not_needed" | "refused";
  storeEpoch: number;
  zxid: number | null;
  detail: string;
  seq?: number;
}

async function openSession(config: ServerConfig, timeoutMs: number): Promise<ZkSession> {
  const zk = config.ha.zookeeper!;
  const session = nativeSessionFactory({
    connectString: zk.connect,
    sessionTimeoutMs: zk.sessionTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      session.close();
      reject(
        new Error(
          `no ZooKeeper session with ${zk.connect} within ${timeoutMs} ms (atlas.server.ha.zookeeper.connect)`,
        ),
      );
    }, timeoutMs);
    session.onEvent((event) => {
      if (event === "connected") {
        clearTimeout(timer);
        resolve();
      } else if (event === "auth_failed" || event === "expired") {
        clearTimeout(timer);
        reject(new Error(`ZooKeeper session ${event}`));
      }
    });
  });
  if (zk.auth) {
    const [scheme, ...rest] = zk.auth.split(":");
    await session.addAuth(scheme!, rest.join(":"));
  }
  return session;
}

/** The ensemble's zxid now: a write (the zkRoot's data rewritten as it is, or the zkRoot created). */
async function currentZxid(session: ZkSession, zkRoot: string): Promise<number> {
  const stat = await session.exists(zkRoot);
  if (!stat) {
    const parts = zkRoot.split("/").filter(Boolean);
    let path = "";
    for (const part of parts) {
      path += `/${part}`;
      try {
        await session.create(path, Buffer.alloc(0), "persistent");
      } catch (error) {
        if ((error as { code?: string }).code !== "ZK_NODEEXISTS") throw error;
      }
    }
  }
  const { data, stat: current } = await session.getData(zkRoot);
  return (await session.setData(zkRoot, data, current.version)).mzxid;
}

export async function rebaseEpoch(config: ServerConfig, user: string): Promise<RebaseResult> {
  if (!config.ha.enabled || !config.ha.zookeeper) {
    return {
      outcome: "not_needed",
      storeEpoch: 0,
      zxid: null,
      detail:
        "HA is off (atlas.server.ha.enabled): a standalone instance continues the store's epoch",
    };
  }
  const zkRoot = config.ha.zookeeper.zkRoot;
  const session = await openSession(config, 15_000);
  const store = createStore(config.store);
  try {
    const active = await session.exists(`${zkRoot}/active_server_info`);
    const storeEpoch = await store.highestEpoch();
    if (active) {
      const { data } = await session.getData(`${zkRoot}/active_server_info`);
      return {
        outcome: "refused",
        storeEpoch,
        zxid: null,
        detail: `an instance is ACTIVE (${data.toString("utf8")}, ${zkRoot}/active_server_info): stop every instance first`,
      };
    }
    const zxid = await currentZxid(session, zkRoot);
    if (storeEpoch <= zxid) {
      return {
        outcome: "not_needed",
        storeEpoch,
        zxid,
        detail: "the store's highest epoch is within this ensemble's zxids: nothing to rebase",
      };
    }
    const done = await store.rebaseEpoch(storeEpoch, user);
    if (!done) {
      return {
        outcome: "refused",
        storeEpoch,
        zxid,
        detail:
          "the store's highest epoch changed while rebasing (an instance wrote): stop every instance, then run it again",
      };
    }
    return {
      outcome: "rebased",
      storeEpoch,
      zxid,
      seq: done.seq,
      detail: "the store accepts this ensemble's epochs again; start the instances",
    };
  } finally {
    session.close();
    await store.close();
  }
}

export function formatRebase(result: RebaseResult): string {
  const hex = (n: number | null) => (n === null ? "-" : `${n} (0x${n.toString(16)})`);
  const rows: [string, string][] = [
    ["outcome", result.outcome],
    ["store highest epoch", hex(result.storeEpoch)],
    ["ensemble zxid", hex(result.zxid)],
    ...(result.seq !== undefined
      ? ([["write log seq", String(result.seq)]] as [string, string][])
      : []),
    ["detail", result.detail],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
