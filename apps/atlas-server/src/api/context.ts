import type { HaState } from "@atlas-ha/ha-state";
import type { HookConsumer } from "@atlas-ha/hook-consumer";
import type { Logger } from "pino";
import type { ServerConfig } from "../config/index.js";
import type { Notifier } from "../hooks/notify.js";
import type { Metrics } from "../metrics.js";
import type { MetadataStore } from "../store/index.js";
import type { Switchover } from "./switchover.js";

/** What every route handler may use. Built once by createAtlasServer(). */
export interface ApiContext {
  config: ServerConfig;
  ha: HaState;
  store: MetadataStore;
  consumer: HookConsumer | null;
  /** Why the hook consumer is not connected to Kafka now, if it is not (health). */
  consumerError: () => { code: string; message: string; since: string } | null;
  /** Writes hook messages posted over REST to Kafka. */
  notifier: Notifier;
  metrics: Metrics;
  logger: Logger;
  /** Planned hand-over to another instance (api/switchover.ts). */
  switchover: Switchover;
  startedAt: number;
  version: { version: string; revision: string; name: string; description: string };
  /**
   * Runs a store write with this term's epoch. 503 unless this instance is ACTIVE (the
   * redirect middleware lets only ACTIVE through, but the state may change mid-request);
   * a write the store refuses for a stale epoch makes the instance step down.
   */
  write<T>(operation: (epoch: number) => Promise<T>): Promise<T>;
}
