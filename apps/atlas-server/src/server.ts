/**
 * One atlas-server instance: the store, the HTTP server, ha-state (or standalone), the
 * redirect middleware and the hook consumer, wired as docs/contracts/states.md, hooks.md and http.md say. Activation: store
 * fenced with the new epoch → (ha-state) address published → ACTIVE → hook consumer started.
 * Passivation in reverse.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { FATAL_CODES } from "@atlas-ha/election-core";
import { createHaState, type ActiveStateHandler, type HaState } from "@atlas-ha/ha-state";
import {
  createHookConsumer,
  fileFailedMessageSink,
  hookConsumerActivationHandler,
  hookConsumerSettingsFromProperties,
  IGNORED_KAFKA_KEYS,
  kafkajsClient,
  type HookConsumer,
  type KafkaClient,
} from "@atlas-ha/hook-consumer";
import type { Logger } from "pino";
import type { ApiContext } from "./api/context.js";
import { loadUsers, type User } from "./auth/users.js";
import { ConfigError, FAILED_MESSAGES_FILE_KEY, KEYS, type ServerConfig } from "./config/index.js";
import { applyNotification, applyNotifications } from "./hooks/apply.js";
import { trackConsumerHealth } from "./hooks/consumer-health.js";
import { startingAfter } from "./hooks/consumer-start.js";
import { createNotifier } from "./hooks/notify.js";
import { checkEpochRegression } from "./epoch.js";
import { errors } from "./http/errors.js";
import { createHttpHandler } from "./http/app.js";
import { createTlsServer } from "./http/tls.js";
import { createSwitchover } from "./api/switchover.js";
import { createLogger } from "./logger.js";
import { createMetrics, setState } from "./metrics.js";
import { createStore, type MetadataStore } from "./store/index.js";
import { warmWritePath } from "./warm-up.js";
import { versionInfo } from "./version.js";

export interface AtlasServerOptions {
  logger?: Logger;
  /** Kafka client for the hook consumer (tests); kafkajs over the configured brokers by default. */
  kafka?: KafkaClient;
  /**
   * Called once when the instance cannot serve and no retry can help (an epoch regression,
   * a ZooKeeper ACL conflict): the process should stop with the error. `main.ts` exits 1.
   */
  onFatal?: (error: Error) => void;
}

export interface AtlasServer {
  readonly config: ServerConfig;
  readonly ha: HaState;
  readonly store: MetadataStore;
  readonly logger: Logger;
  /** Port the HTTP server listens on (after start()). */
  readonly port: number;
  /** Opens the store, starts HTTP, then joins the election in the background. */
  start(): Promise<void>;
  /**
   * Clean shutdown: stop the hook consumer (committing what was applied) and leave the
   * election at once, then drain in-flight HTTP requests, bounded by the shutdown timeout.
   */
  stop(): Promise<void>;
}

export function createAtlasServer(
  config: ServerConfig,
  options: AtlasServerOptions = {},
): AtlasServer {
  // Assigned once below; declared first because the logger's mixin reads it.
  // eslint-disable-next-line prefer-const
  let ha: HaState;
  let activeEpoch: number | null = null;
  const logger =
    options.logger ??
    createLogger(config.serverId, config.log.level, () => ({
      state: ha?.snapshot().state ?? "PASSIVE",
      epoch: ha?.snapshot().epoch ?? null,
    }));
  // Read before anything is opened: a users file Atlas would accept but we cannot use stops
  // the start, naming the key, the file and the line.
  const users = readUsers(config.auth.usersFile);
  const metrics = createMetrics(config.serverId);
  const store = createStore(config.store, { logger });

  const settings = kafkaSettings(config.properties);
  const failedFile = resolve(
    config.properties[FAILED_MESSAGES_FILE_KEY] ?? `logs/failed-messages-${config.serverId}.jsonl`,
  );
  const consumer: HookConsumer | null = settings.disabled
    ? null
    : createHookConsumer({
        ...settings,
        clientId: `atlas-${config.serverId}`,
        ...(options.kafka ? { kafka: options.kafka } : {}),
        logger: logger.child({ component: "hook-consumer" }),
        failedMessages: fileFailedMessageSink(failedFile),
        handler: async (message) => {
          await applyNotification(store, message.notification, {
            epoch: message.epoch,
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            durable: false,
          });
        },
        // A Kafka batch's messages in one store transaction (one commit); on a failure the
        // consumer applies them again one by one through `handler`.
        handleBatch: async (messages) => {
          await applyNotifications(store, messages, {
            epoch: messages[0]!.epoch,
            durable: false,
            mutations: false,
          });
        },
        // Group commit: the messages applied since the last commit reach the disk together,
        // before their offsets are committed (docs/contracts/hooks.md: effects durable before the commit).
        beforeCommit: () => store.sync(),
      });

  const ignoredKafkaKeys = IGNORED_KAFKA_KEYS.filter((key) => config.properties[key] !== undefined);
  if (ignoredKafkaKeys.length > 0)
    logger.warn({ event: "kafka_settings_ignored", keys: ignoredKafkaKeys });
  const consumerHealth = consumer ? trackConsumerHealth(consumer, logger) : null;

  // Atlas's NotificationREST accepts the hook topics and the entity-notification topic. Its
  // producer connects as the consumer does (same brokers, security and timeouts).
  const notifier = createNotifier(
    () =>
      options.kafka ??
      kafkajsClient({
        brokers: settings.brokers,
        clientId: `atlas-${config.serverId}-rest-notifications`,
        logger: logger.child({ component: "rest-notifications" }),
        security: settings.security,
        ...(settings.connectionTimeoutMs !== undefined
          ? { connectionTimeoutMs: settings.connectionTimeoutMs }
          : {}),
        ...(settings.requestTimeoutMs !== undefined
          ? { requestTimeoutMs: settings.requestTimeoutMs }
          : {}),
      }),
    [...settings.topics, "ATLAS_ENTITIES"],
  );

  const storeHandler: ActiveStateHandler = {
    name: "store",
    order: 1,
    instanceIsActive: async ({ epoch, signal }) => {
      // Standalone has no election; its epoch continues the store's so that an instance
      // that once ran with HA is not fenced out of its own store.
      const effective = config.ha.enabled ? epoch : Math.max(epoch, await store.highestEpoch());
      try {
        await store.fence(effective, { signal });
      } catch (error) {
        // Refused: a newer active exists — or the ensemble was replaced and no epoch of it
        // can ever pass (then retrying the election forever would help nobody).
        if ((error as { code?: string }).code === "STORE_FENCED" && ha.election) {
          await checkEpochRegression(store, ha.election).catch((regression: Error) => {
            fatal(regression);
            throw regression;
          });
        }
        throw error;
      }
      activeEpoch = effective;
    },
    instanceIsPassive: () => {
      activeEpoch = null;
    },
  };
  const handlers: ActiveStateHandler[] = [storeHandler];
  // The consumer starts once the instance serves (its own writes are fenced by the epoch like
  // any other), so REST does not wait for it to join its group (docs/contracts/states.md),
  // and a moment later, so that the first writes do not run beside its start (consumer-start.ts).
  if (consumer)
    handlers.push({
      ...startingAfter(hookConsumerActivationHandler(consumer), {
        handlerTimeoutMs: config.limits.handlerTimeoutMs,
      }),
      order: 2,
      afterActive: true,
    });

  const zk = config.ha.zookeeper;
  ha = createHaState({
    serverId: config.serverId,
    selfAddress: config.selfAddress,
    handlers,
    handlerTimeoutMs: config.limits.handlerTimeoutMs,
    logger: logger.child({ component: "ha" }),
    ...(config.ha.enabled && zk
      ? {
          zookeeper: {
            connect: zk.connect,
            zkRoot: zk.zkRoot,
            sessionTimeoutMs: zk.sessionTimeoutMs,
            retryBaseMs: zk.retrySleepMs,
            ...(zk.acl ? { acl: zk.acl } : {}),
            ...(zk.auth ? { auth: zk.auth } : {}),
          },
        }
      : {}),
  });

  let fatalError: Error | null = null;
  function fatal(error: Error): void {
    if (fatalError) return;
    fatalError = error;
    logger.fatal({
      event: "server_cannot_serve",
      code: (error as { code?: string }).code,
      error: error.message,
    });
    options.onFatal?.(error);
  }

  const fenced = (error: Error) => {
    logger.error({ event: "store_fenced", error: error.message });
    void ha.relinquish(error);
  };
  // Events are kafkajs-style `{ type, timestamp, payload }`, the facts in the payload.
  consumer?.on("fenced", (event) => fenced(event.payload.error));

  let becameActiveAt = 0;
  // An election error no retry can help with (election-core's FATAL_CODES: the ZooKeeper
  // ACLs refuse this instance), even after start: the election stopped for good, so the
  // process leaves and says why rather than idle as a passive that never joins again.
  const fatalIfElectionRefused = (error: Error) => {
    if ((FATAL_CODES as readonly unknown[]).includes((error as { code?: string }).code))
      fatal(error);
  };
  ha.on("error", ({ payload: { error } }) => fatalIfElectionRefused(error));
  ha.on("transition", ({ payload: { to, epoch } }) => {
    setState(metrics, to);
    metrics.transitions.inc({ to });
    if (epoch !== null) metrics.epoch.set(epoch);
    if (to === "BECOMING_ACTIVE") becameActiveAt = performance.now();
    if (to === "ACTIVE") metrics.activation.observe((performance.now() - becameActiveAt) / 1000);
  });

  const switchover = createSwitchover({ config, ha, logger, metrics });
  const api: ApiContext = {
    config,
    ha,
    store,
    consumer,
    consumerError: () => consumerHealth?.error() ?? null,
    notifier,
    metrics,
    logger,
    switchover,
    startedAt: Date.now(),
    version: versionInfo(),
    write: async (operation) => {
      const epoch = activeEpoch;
      if (epoch === null || !ha.isActive()) throw errors.notActive(ha.snapshot().state);
      try {
        return await operation(epoch);
      } catch (error) {
        if ((error as { code?: string }).code === "STORE_FENCED") fenced(error as Error);
        throw error;
      }
    },
  };

  if (users) reportUsers(users, logger);
  const callback = createHttpHandler(api, users);
  // Slow clients (slowloris) get a 408 rather than holding a socket forever. Node checks
  // these timeouts only every connectionsCheckingInterval, so it is at most 1 s here: a client
  // trickling its headers is cut off close to the configured time (docs/decisions.md).
  const timeouts = {
    headersTimeout: config.limits.headersTimeoutMs,
    requestTimeout: config.limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.limits.headersTimeoutMs),
    keepAliveTimeout: 5_000,
  };
  const tls = config.http.tls
    ? createTlsServer(config.http.tls, timeouts, callback, { logger, registry: metrics.registry })
    : null;
  const http: Server = tls ? tls.server : createHttpServer(timeouts, callback);

  /**
   * A passive that becomes active serves its first write cold: loading the type registry and
   * compiling the store's read path costs a fresh process 300–600 ms under load, ten times the
   * rest of a hand-over. One read of an entity that does not exist loads them while passive.
   */
  async function warmUp(): Promise<void> {
    // After the active's address is known: the cold read holds the event loop for a moment,
    // and a passive that does not know where to redirect answers 503 meanwhile.
    if (ha.snapshot().activeAddress === null)
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(done, 2000);
        const off = ha.on("activeAddress", done);
        function done() {
          clearTimeout(timer);
          off();
          resolveWait();
        }
      });
    let started = performance.now();
    try {
      await store.getByUniqueAttribute("Referenceable", "__atlas_ha_warm_up__");
      logger.info({ event: "store_warmed", tookMs: Math.round(performance.now() - started) });
    } catch (error) {
      logger.warn({ event: "store_warm_up_failed", error: (error as Error).message });
    }
    // The write path too (warm-up.ts), on a private in-memory store: a new active's first
    // writes then run compiled code.
    if (ha.snapshot().state !== "PASSIVE") return;
    started = performance.now();
    try {
      const result = await warmWritePath();
      logger.info({
        event: "write_path_warmed",
        ...result,
        tookMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      logger.warn({ event: "write_path_warm_up_failed", error: (error as Error).message });
    }
  }

  let stopping: Promise<void> | null = null;
  let port = config.http.port;

  return {
    config,
    ha,
    store,
    logger,
    get port() {
      return port;
    },
    async start() {
      logger.info({
        event: "server_starting",
        store: config.store.backend,
        ha: config.ha.enabled,
        selfAddress: config.selfAddress,
      });
      await store.migrate();
      await new Promise<void>((resolvePromise, reject) => {
        http.once("error", reject);
        http.listen(config.http.port, config.http.host, () => {
          http.off("error", reject);
          resolvePromise();
        });
      });
      port = (http.address() as AddressInfo).port;
      logger.info({ event: "http_listening", port, tls: !!config.http.tls });
      // The election may wait for ZooKeeper indefinitely; status endpoints answer meanwhile.
      switchover.start();
      ha.start().then(
        async () => {
          void warmUp();
          // Checked at start too, so that every instance (not only the one elected) says why.
          if (!ha.election) return;
          await checkEpochRegression(store, ha.election).catch((error: Error) => {
            if (error.name === "EpochRegressionError") fatal(error);
            else logger.warn({ event: "epoch_check_failed", error: error.message });
          });
        },
        (error: Error) => {
          logger.error({
            event: "ha_start_failed",
            error: error.message,
            code: (error as { code?: string }).code,
          });
          fatalIfElectionRefused(error);
        },
      );
    },
    stop() {
      stopping ??= (async () => {
        const started = performance.now();
        logger.info({ event: "server_stopping" });
        tls?.close();
        switchover.stop();
        // ha.stop() refuses writes and leaves the election at once, then stops the hook
        // consumer (commit, leave the group); in-flight HTTP requests drain meanwhile.
        const leaving = ha.stop().then(() =>
          logger.info({
            event: "left_election",
            tookMs: Math.round(performance.now() - started),
          }),
        );
        const draining = new Promise<void>((resolvePromise) => {
          const timer = setTimeout(() => {
            http.closeAllConnections();
            resolvePromise();
          }, config.limits.shutdownTimeoutMs);
          http.close(() => {
            clearTimeout(timer);
            resolvePromise();
          });
          http.closeIdleConnections();
        });
        await Promise.all([leaving, draining]);
        await notifier.close();
        await store.close();
        logger.info({ event: "server_stopped", tookMs: Math.round(performance.now() - started) });
        logger.flush?.();
      })();
      return stopping;
    },
  };
}

function readUsers(file: string | null): Map<string, User> | null {
  if (file === null) return null;
  try {
    return loadUsers(file);
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (e.code === "USERS_FILE_INVALID") throw new ConfigError(KEYS.usersFile, e.message);
    throw error;
  }
}

/**
 * What an operator should know about the users file at start: unsalted or name-salted
 * SHA-256 hashes (Atlas's old defaults, cheap to guess offline) and users whose group gives
 * them no role under the simple authorizer's default policy (they can only log in).
 */
function reportUsers(users: Map<string, User>, logger: Logger): void {
  const sha256 = [...users.values()].filter((u) => u.kind === "sha256").map((u) => u.name);
  if (sha256.length > 0)
    logger.warn({
      event: "users_file_weak_hashes",
      users: sha256,
      hint: "atlas-server hash-password",
    });
  for (const user of users.values())
    if (user.roles.length === 0)
      logger.warn({ event: "users_file_user_without_role", user: user.name, group: user.role });
}

/**
 * The hook consumer's settings; a bad `atlas.kafka.*` value (a JKS store, a wrong keystore
 * password, GSSAPI) is bad configuration like any other: a ConfigError naming the key (exit 2).
 */
function kafkaSettings(properties: Record<string, string>) {
  try {
    return hookConsumerSettingsFromProperties(properties);
  } catch (error) {
    const e = error as { name?: string; key?: string; message: string };
    if (e.name === "HookConfigError" && e.key !== undefined)
      throw new ConfigError(e.key, e.message.slice(e.key.length + 2));
    throw error;
  }
}
