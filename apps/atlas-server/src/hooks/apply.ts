/**
 * A hook notification → store changes, applied in ONE store transaction that is fenced by
 * the leader epoch and records the message's Kafka position (docs/contracts/hooks.md). hook-consumer has
 * already decoded the envelope and normalised V1 bodies to the V2 model.
 *
 * How failures reach hook-consumer (it classifies by `fenced`, `permanent` and `code`):
 * - StoreFencedError (code STORE_FENCED, `fenced: true`) is rethrown as it is. It is not
 *   permanent for the MESSAGE — the new active must apply it — only for this instance: the
 *   consumer stops without committing the offset, and the server steps down. Treating it as
 *   permanent would commit the offset and lose the message; as transient, it would be
 *   retried against a store that refuses it every time.
 * - An input that fails the same way however often it is tried — an unknown entity type, a
 *   malformed entity, a partial update of an entity that does not exist, a rename onto a
 *   taken name — becomes a PermanentHookError (`permanent: true`, the store's code): the
 *   message goes to the failed-messages log at once and the stream moves on.
 * - Anything else (database unreachable, lock timeout) is transient and retried.
 */
import { PermanentHookError, type HookNotification } from "@atlas-ha/hook-consumer";
import { asStoreError } from "../store/errors.js";
import type {
  HookApplied,
  HookApplyResult,
  HookBatchItem,
  MetadataStore,
  StoreChange,
} from "../store/types.js";

export interface ApplyNotificationOptions {
  /** The leader epoch of this instance's term (HookMessage.epoch). */
  epoch: number;
  topic: string;
  partition: number;
  /** Kafka offset of the message (of part 0 for a split message). */
  offset: string;
  /** The user recorded as createdBy/updatedBy when the message names none. Default "atlas". */
  user?: string;
  /**
   * false: durable only at the store's next `sync()`, which the hook consumer runs before it
   * commits the offset (group commit). Default true.
   */
  durable?: boolean;
}

/**
 * Atlas's meaning of each notification type (docs/contracts/hooks.md): create and full update upsert by
 * type + qualifiedName with placeholders and referred entities; a partial update changes only
 * the given attributes of the entity its `entityId` names (a new qualifiedName renames it);
 * a delete is soft, and deleting what is gone is a no-op.
 */
export function notificationChanges(notification: HookNotification): StoreChange[] {
  switch (notification.type) {
    case "ENTITY_CREATE_V2":
    case "ENTITY_FULL_UPDATE_V2":
      return [{ kind: "createOrUpdate", entities: notification.entities }];
    case "ENTITY_PARTIAL_UPDATE_V2":
      return [
        { kind: "partialUpdate", objectId: notification.entityId, entity: notification.entity },
      ];
    case "ENTITY_DELETE_V2":
      return [{ kind: "delete", objectIds: notification.entities, ifMissing: "ignore" }];
  }
}

/** Applies one notification; `{ applied: false }` when its position was applied before. */
export async function applyNotification(
  store: MetadataStore,
  notification: HookNotification,
  options: ApplyNotificationOptions,
): Promise<HookApplyResult> {
  const position = { topic: options.topic, partition: options.partition, offset: options.offset };
  const user = notification.user || options.user || "atlas";
  try {
    return await store.applyHook(options.epoch, position, notificationChanges(notification), user, {
      durable: options.durable !== false,
    });
  } catch (error) {
    const storeError = asStoreError(error);
    if (storeError && storeError.code !== "STORE_FENCED" && storeError.permanent) {
      throw new PermanentHookError(
        `${notification.wireType} at ${position.topic}/${position.partition}@${position.offset} cannot be applied: ${storeError.message}`,
        { code: storeError.code, cause: error },
      );
    }
    throw error;
  }
}

/** A message of `applyNotifications`: the notification and its Kafka position. */
export interface PositionedNotification {
  notification: HookNotification;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Applies consecutive notifications in ONE store transaction (store.applyHooks): all, each
 * with its position recorded, or none. Errors are the store's as they are (a fenced write
 * stays STORE_FENCED): the hook consumer then applies the messages one by one through
 * `applyNotification`, which names the failing one (docs/contracts/hooks.md, batches).
 */
export function applyNotifications(
  store: MetadataStore,
  messages: readonly PositionedNotification[],
  options: BatchOptions & { mutations?: true },
): Promise<HookApplyResult[]>;
/** The same without the mutation responses (the server's consumer does not use them). */
export function applyNotifications(
  store: MetadataStore,
  messages: readonly PositionedNotification[],
  options: BatchOptions & { mutations: false },
): Promise<HookApplied[]>;
export function applyNotifications(
  store: MetadataStore,
  messages: readonly PositionedNotification[],
  options: BatchOptions & { mutations?: boolean },
): Promise<HookApplied[]> {
  const items: HookBatchItem[] = messages.map((m) => ({
    position: { topic: m.topic, partition: m.partition, offset: m.offset },
    changes: notificationChanges(m.notification),
    user: m.notification.user || options.user || "atlas",
  }));
  const durable = options.durable !== false;
  return options.mutations === false
    ? store.applyHooks(options.epoch, items, { durable, mutations: false })
    : store.applyHooks(options.epoch, items, { durable });
}

type BatchOptions = Omit<ApplyNotificationOptions, "topic" | "partition" | "offset">;
