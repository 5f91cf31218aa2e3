import { HookDecodeError } from "../errors.js";
import { isObject, requireString } from "./fields.js";
import { V1_TYPES, V2_TYPES, type HookNotification, type V1Type, type V2Type } from "./model.js";
import { decodeV1 } from "./v1.js";
import { decodeV2 } from "./v2.js";

/** A message body (`{type, user, …}`) → the typed notification, V1 normalised to V2. */
export function decodeBody(body: unknown): HookNotification {
  if (!isObject(body)) {
    throw new HookDecodeError("HOOK_INVALID_FIELD", "the message body must be a JSON object", {
      field: "message",
    });
  }
  const type = requireString(body.type, "type");
  if ((V2_TYPES as readonly string[]).includes(type)) return decodeV2(body, type as V2Type);
  if ((V1_TYPES as readonly string[]).includes(type)) return decodeV1(body, type as V1Type);
  throw new HookDecodeError(
    "HOOK_UNKNOWN_TYPE",
    `unknown notification type ${JSON.stringify(type)}; expected one of ${[...V2_TYPES, ...V1_TYPES].join(", ")}`,
    { field: "type" },
  );
}
