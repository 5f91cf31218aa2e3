/*
 * `atlas-application.properties` is read with the syntax of `java.util.Properties.load`
 * (JDK 9 and later): the one parser of atlas-ha, a port of the JDK's line reader
 * (`@atlas-ha/shared` properties.ts, which lists the rules; a test here compares it with the
 * installed JDK). Text the JDK refuses (a malformed `\uXXXX` escape) is a ConfigSyntaxError
 * naming the file and line. Trailing blanks of a value are kept (callers trim where Atlas
 * would); a key given twice keeps its last value.
 */
import {
  parseProperties as parse,
  readProperties as read,
  type PropertyEntry,
  type SyntaxErrorFactory,
} from "@atlas-ha/shared";
import { ConfigSyntaxError } from "./errors.js";

export type { PropertyEntry };

const syntaxError =
  (file: string | undefined): SyntaxErrorFactory =>
  (line, message) =>
    new ConfigSyntaxError(line, message, file);

/** Every pair in file order (a repeated key appears each time). Throws ConfigSyntaxError. */
export function readProperties(text: string, file?: string): PropertyEntry[] {
  return read(text, syntaxError(file));
}

/** The pairs as a map; a repeated key keeps its last value. Throws ConfigSyntaxError. */
export function parseProperties(text: string, file?: string): Map<string, string> {
  return parse(text, syntaxError(file));
}
