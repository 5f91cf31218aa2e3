/**
 * `POST v2/notification/topic/{topic}` (Atlas's NotificationREST): a JSON list of hook
 * messages, each written to the topic as one Kafka record; 204 once Kafka acknowledged them
 * all (src/hooks/notify.ts). A message given as a JSON string is sent as that text (Atlas's
 * Java client sends a list of strings); any other JSON value as its JSON. A body that is not
 * a list is one message, as in Atlas.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { readJson } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";

export function notificationRoutes(router: Router, api: ApiContext): void {
  router.on("POST", "/api/atlas/v2/notification/topic/:topic", async (ctx, { topic }) => {
    if (!api.notifier.topics.has(topic!))
      throw new AtlasHttpError(
        ATLAS_ERRORS.INVALID_TOPIC_NAME.status,
        ATLAS_ERRORS.INVALID_TOPIC_NAME.code,
        `Unsupported topic name : ${topic}`,
      );
    const body = await readJson(ctx, api.config.limits.maxBodyBytes);
    if (body === undefined)
      throw errors.invalid("the request body must be a JSON list of messages");
    const messages = (Array.isArray(body) ? body : [body]).map((m) =>
      typeof m === "string" ? m : JSON.stringify(m),
    );
    if (messages.length === 0) {
      ctx.status = 204;
      return;
    }
    try {
      await api.notifier.send(topic!, messages);
    } catch (error) {
      if ((error as { code?: string }).code !== "NOTIFICATION_SEND_FAILED") throw error;
      api.logger.error({
        event: "notification_post_failed",
        topic,
        error: (error as Error).message,
      });
      throw new AtlasHttpError(
        ATLAS_ERRORS.NOTIFICATION_FAILED.status,
        ATLAS_ERRORS.NOTIFICATION_FAILED.code,
        (error as Error).message,
      );
    }
    api.metrics.notificationsPosted.inc({ topic: topic! }, messages.length);
    ctx.status = 204;
  });
}
