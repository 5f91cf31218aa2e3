import { HookDecoder, type EnvelopeInfo, type HookNotification } from "../../src/index.js";

/** Decodes a message sent as one or more values (in the given order); throws its error. */
export function decodeAll(
  values: string[],
  decoder = new HookDecoder<number>(),
): { notification: HookNotification; envelope: EnvelopeInfo; parts: number[] } {
  let last;
  for (const [i, value] of values.entries()) {
    last = decoder.decode(value, i);
    if (last.status === "failed") throw last.error;
  }
  if (last === undefined || last.status !== "complete")
    throw new Error(`not complete: ${JSON.stringify(last)}`);
  return last;
}

/** The HookDecodeError a value (or set of values) gives, as {name, code}. */
export function decodeError(values: string[] | string): {
  name: string;
  code: string;
  field?: string | undefined;
} {
  const decoder = new HookDecoder<number>();
  const list = typeof values === "string" ? [values] : values;
  for (const [i, value] of list.entries()) {
    const result = decoder.decode(value, i);
    if (result.status === "failed")
      return { name: result.error.name, code: result.error.code, field: result.error.field };
  }
  throw new Error("expected a decode error");
}
