import { HookDecodeError } from "../errors.js";
import { decodeBody } from "./body.js";
import { parseDocument, parseJson, parseValue } from "./envelope.js";
import { unpackText } from "./gzip.js";
import type { EnvelopeInfo, HookNotification } from "./model.js";
import { SplitAssembler, type EvictedSplit } from "./split.js";

/** What one Kafka value turned into. `M` is whatever the caller attached (its record position). */
export type DecodeResult<M> =
  /** A whole notification; `parts` are the metas of every record it came in (one unless split). */
  | { status: "complete"; notification: HookNotification; envelope: EnvelopeInfo; parts: M[] }
  /** A split part was stored; more are needed. */
  | { status: "pending"; msgId: string; received: number; count: number }
  /** A copy of a part already received, or of a message already assembled: nothing to do. */
  | { status: "duplicate"; msgId: string; reason: "part_already_received" | "already_assembled" }
  /** Malformed; `parts` are the metas of every record involved (all parts of a bad split set). */
  | { status: "failed"; error: HookDecodeError; parts: M[] };

export interface HookDecoderOptions {
  /** Incomplete split sets are dropped this long after their first part. Default 900 000 (15 min). */
  splitWaitMs?: number;
  /** Monotonic milliseconds; tests pass a fake to expire split sets. */
  now?: () => number;
  /** Refuse decompressed messages larger than this. Default 256 MiB. */
  maxDecompressedBytes?: number;
}

/**
 * Kafka value → typed notification, keeping the state split messages need. One decoder per
 * consumer session; it never throws for bad input, it returns `failed` with a typed error.
 */
export class HookDecoder<M = undefined> {
  readonly #assembler: SplitAssembler<M>;
  readonly #maxBytes: number | undefined;

  constructor(options: HookDecoderOptions = {}) {
    const assemblerOptions: ConstructorParameters<typeof SplitAssembler<M>>[0] = {
      waitMs: options.splitWaitMs ?? 900_000,
    };
    if (options.now !== undefined) assemblerOptions.now = options.now;
    this.#assembler = new SplitAssembler<M>(assemblerOptions);
    this.#maxBytes = options.maxDecompressedBytes;
  }

  decode(value: string | Uint8Array | null | undefined, meta: M): DecodeResult<M> {
    const parseOptions =
      this.#maxBytes === undefined ? {} : { maxDecompressedBytes: this.#maxBytes };
    let parts: M[] = [meta];
    try {
      const parsed = parseValue(value, parseOptions);
      if (parsed.kind === "message") {
        return {
          status: "complete",
          notification: decodeBody(parsed.body),
          envelope: parsed.envelope,
          parts,
        };
      }
      const added = this.#assembler.add(parsed.part, meta);
      if (added.status !== "complete") return added;
      parts = added.parts;
      const inner = parseDocument(
        parseJson(
          unpackText(added.text, added.compression === "GZIP", this.#maxBytes),
          "the reassembled message",
        ),
        parseOptions,
        1,
      );
      if (inner.kind !== "message")
        throw new HookDecodeError("HOOK_BAD_ENVELOPE", "a reassembled message is a split part");
      const envelope: EnvelopeInfo = {
        ...inner.envelope,
        msgId: added.msgId,
        compression: added.compression,
        splitCount: added.count,
      };
      return { status: "complete", notification: decodeBody(inner.body), envelope, parts };
    } catch (error) {
      if (isDecodeError(error)) return { status: "failed", error, parts };
      // Whatever else a value manages to provoke (a string past V8's maximum length, a stack
      // overflow) is still this one record's fault: thrown, it would fail the batch again on
      // every redelivery and stop the stream (docs/contracts/hooks.md).
      const detail = error instanceof Error ? error.message : String(error);
      return {
        status: "failed",
        error: new HookDecodeError(
          "HOOK_LIMIT_EXCEEDED",
          `the message cannot be decoded within the runtime's limits: ${detail}`,
          { cause: error },
        ),
        parts,
      };
    }
  }

  /** Drops split sets that waited too long; call it periodically (the consumer does). */
  evictExpired(): EvictedSplit<M>[] {
    return this.#assembler.evictExpired();
  }

  /** Monotonic time at which the oldest incomplete split set expires, if any. */
  nextExpiry(): number | undefined {
    return this.#assembler.nextExpiry();
  }

  /** Forgets incomplete split sets (their records will be delivered again). */
  clearPending(): M[] {
    return this.#assembler.clearPending();
  }

  get pendingSplits(): number {
    return this.#assembler.pendingSets;
  }

  get heldParts(): number {
    return this.#assembler.heldParts;
  }
}

/** The error an evicted split set is reported with. */
export function incompleteSplitError(
  evicted: EvictedSplit<unknown>,
  waitMs: number,
): HookDecodeError {
  return new HookDecodeError(
    "HOOK_SPLIT_INCOMPLETE",
    `split message ${evicted.msgId}: only ${evicted.received} of ${evicted.count} parts arrived within ${Math.round(waitMs / 1000)} s; dropped`,
  );
}

function isDecodeError(error: unknown): error is HookDecodeError {
  return error instanceof Error && error.name === "HookDecodeError";
}
