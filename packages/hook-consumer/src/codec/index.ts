export { decodeBody } from "./body.js";
export { MAX_V1_DEPTH } from "./v1.js";
export {
  HookDecoder,
  incompleteSplitError,
  type DecodeResult,
  type HookDecoderOptions,
} from "./decoder.js";
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeHookMessage,
  toWireBody,
  type EncodeOptions,
} from "./encode.js";
export { parseValue, type ParsedValue, type SplitPart } from "./envelope.js";
export type { EvictedSplit } from "./split.js";
export * from "./model.js";
