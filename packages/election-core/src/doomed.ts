/**
 * Nodes of this session that must go (given up, or stale), deleted until done or the session
 * ends: Curator's guaranteed delete. A delete whose answer was lost with the connection is
 * retried on the next step.
 */
import type { ZkClient } from "./client.js";

type Log = (level: "info" | "warn", event: string, extra: object) => void;

export class DoomedNodes {
  readonly #zk: ZkClient;
  readonly #log: Log;
  readonly #paths = new Set<string>();

  constructor(zk: ZkClient, log: Log) {
    this.#zk = zk;
    this.#log = log;
  }

  add(path: string): void {
    this.#paths.add(path);
  }

  /** A new session: the nodes of the old one died with it. */
  clear(): void {
    this.#paths.clear();
  }

  /**
   * Deletes the nodes given up. A failure here fails the step, which is retried after
   * reconnection or the back-off.
   */
  async deleteAll(): Promise<void> {
    for (const path of [...this.#paths]) {
      await this.#zk.remove(path);
      this.#paths.delete(path);
      this.#log("info", "election_node_deleted", { node: path });
    }
  }

  /**
   * Deletes those of `names` (under `electionPath`) that this session owns; true when it
   * deleted any. They are nodes whose delete was lost with the connection: left ahead of
   * `current`, they would lead nobody and block everyone behind them for good.
   */
  async removeStaleOwn(electionPath: string, names: string[], current: string): Promise<boolean> {
    let removed = false;
    for (const name of names) {
      const path = `${electionPath}/${name}`;
      const stat = await this.#zk.exists(path);
      if (!stat || stat.ephemeralOwner !== this.#zk.sessionId) continue;
      this.#log("warn", "election_stale_node_removed", { node: path, current });
      this.#paths.add(path);
      await this.deleteAll();
      removed = true;
    }
    return removed;
  }
}
