/** One `key=value` pair as written, with the line its logical line starts on. */
export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based. */
  line: number;
}

/*
 * The syntax of `java.util.Properties.load(Reader)` (JDK 9 and later), which an existing
 * `atlas-application.properties` is written in (docs/contracts/config.md). The reader is a
 * port of the JDK's line reader, so its corner cases match (a test compares it with the installed JDK):
 *
 * - Natural lines end at `\n`, `\r` or `\r\n`. Leading space, tab and form feed are dropped;
 *   blank lines are skipped.
 * - A logical line whose first character is `#` or `!` is a comment up to the end of that
 *   natural line; a comment never continues.
 * - An odd number of trailing backslashes joins the next natural line, whose leading blanks
 *   are dropped; a backslash continuing into the end of the text is dropped.
 * - The key ends at the first unescaped `=`, `:`, space, tab or form feed; blanks, at most
 *   one `=` or `:`, and blanks again separate it from the value. Trailing blanks of the
 *   value are kept (callers trim where Atlas would).
 * - Escapes in keys and values: `\t \n \r \f`, `\uXXXX` (exactly four hex digits, else the
 *   text is refused as Java refuses it), and `\x` → `x` for any other character.
 * - A key given twice keeps its last value.
 */

/**
 * Builds the error thrown for text that `java.util.Properties.load` would also refuse (a
 * malformed `\uXXXX` escape): each caller throws its own typed error, with `line` the
 * 1-based line where the logical line holding the error starts.
 */
export type SyntaxErrorFactory = (line: number, message: string) => Error;

/** Every pair in file order (a repeated key appears each time). Throws `syntaxError(…)`. */
export function readProperties(text: string, syntaxError: SyntaxErrorFactory): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  const reader = new LineReader(text);
  for (let logical = reader.next(); logical !== null; logical = reader.next()) {
    const { chars } = logical;
    const line = reader.lineOf(logical.start);
    let keyEnd = 0;
    let separatorSeen = false;
    let escaped = false;
    for (; keyEnd < chars.length; keyEnd++) {
      const c = chars[keyEnd];
      if (!escaped && (c === "=" || c === ":")) {
        separatorSeen = true;
        break;
      }
      if (!escaped && (c === " " || c === "\t" || c === "\f")) break;
      escaped = c === "\\" ? !escaped : false;
    }
    let valueStart = separatorSeen ? keyEnd + 1 : keyEnd;
    while (valueStart < chars.length) {
      const c = chars[valueStart];
      if (c === " " || c === "\t" || c === "\f") valueStart += 1;
      else if (!separatorSeen && (c === "=" || c === ":")) {
        separatorSeen = true;
        valueStart += 1;
      } else break;
    }
    entries.push({
      key: unescape(chars.slice(0, keyEnd), line, syntaxError),
      value: unescape(chars.slice(valueStart), line, syntaxError),
      line,
    });
  }
  return entries;
}

/** The JDK's `Properties.LineReader`: yields logical lines, comments and continuations resolved. */
class LineReader {
  private off = 0;
  private skipLF = false;
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  next(): { chars: string; start: number } | null {
    const text = this.text;
    let chars = "";
    let start = -1;
    let skipWhiteSpace = true;
    let appendedLineBegin = false;
    let precedingBackslash = false;
    const done = () => ({
      chars: precedingBackslash ? chars.slice(0, -1) : chars,
      start: start < 0 ? this.off - 1 : start,
    });

    for (;;) {
      if (this.off >= text.length) return chars === "" ? null : done();
      const c = text[this.off++]!;
      if (this.skipLF) {
        this.skipLF = false;
        if (c === "\n") continue;
      }
      if (skipWhiteSpace) {
        if (c === " " || c === "\t" || c === "\f") continue;
        if (!appendedLineBegin && (c === "\r" || c === "\n")) continue;
        skipWhiteSpace = false;
        appendedLineBegin = false;
      }
      if (chars === "" && (c === "#" || c === "!")) {
        // As the JDK does, this also holds right after a continuation of a line that is
        // still empty.
        for (;;) {
          if (this.off >= text.length) return null;
          const d = text[this.off++];
          if (d === "\r" || d === "\n") break;
        }
        skipWhiteSpace = true;
        continue;
      }
      if (c !== "\n" && c !== "\r") {
        if (start < 0) start = this.off - 1;
        chars += c;
        precedingBackslash = c === "\\" ? !precedingBackslash : false;
        continue;
      }
      if (chars === "") {
        skipWhiteSpace = true;
        continue;
      }
      if (this.off >= text.length) return done();
      if (!precedingBackslash) return done();
      chars = chars.slice(0, -1);
      skipWhiteSpace = true;
      appendedLineBegin = true;
      precedingBackslash = false;
      if (c === "\r") this.skipLF = true;
    }
  }

  /** 1-based natural line number of a text offset. */
  lineOf(offset: number): number {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const ends = /\r\n|\r|\n/g;
      for (let m = ends.exec(this.text); m !== null; m = ends.exec(this.text))
        starts.push(m.index + m[0].length);
      this.lineStarts = starts;
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

/** The pairs as a map; a repeated key keeps its last value. Throws `syntaxError(…)`. */
export function parseProperties(
  text: string,
  syntaxError: SyntaxErrorFactory,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of readProperties(text, syntaxError)) map.set(entry.key, entry.value);
  return map;
}

const SIMPLE: Readonly<Record<string, string>> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(raw: string, line: number, syntaxError: SyntaxErrorFactory): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  for (let j = 0; j < raw.length; j++) {
    const c = raw[j]!;
    if (c !== "\\" || j + 1 >= raw.length) {
      out += c;
      continue;
    }
    const next = raw[j + 1]!;
    if (next === "u") {
      const hex = raw.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw syntaxError(line, `malformed \\uXXXX escape "\\u${hex}" (four hex digits expected)`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      j += 5;
    } else {
      out += SIMPLE[next] ?? next;
      j += 1;
    }
  }
  return out;
}
