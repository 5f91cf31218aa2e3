// The parser's own behaviour; atlas-server's config tests (with a comparison against the JDK)
// and status-client's `--config` tests go through it too, with their corpora.
import { describe, expect, it } from "vitest";
import { parseProperties, readProperties } from "../src/index.js";

class TestSyntaxError extends Error {
  override readonly name = "TestSyntaxError" as const;
  readonly code = "TEST_SYNTAX" as const;
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const syntaxError = (line: number, message: string) => new TestSyntaxError(line, message);
const parse = (text: string) => Object.fromEntries(parseProperties(text, syntaxError));

describe("parseProperties (java.util.Properties.load syntax)", () => {
  it("reads comments, separators, continuations and escapes", () => {
    // The full corpus is status-client's config test and atlas-server's (against the JDK).
    expect(parse("# c\n! c\na=1\nb : 2\nc 3\ne=first, \\\n    second\nf=\\u00e9\\t")).toEqual({
      a: "1",
      b: "2",
      c: "3",
      e: "first, second",
      f: "é\t",
    });
  });

  it("refuses a malformed \\u escape with the caller's error, naming the line", () => {
    let caught: unknown;
    try {
      readProperties("ok=1\n\n bad=\\u12G4\n", syntaxError);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: "TestSyntaxError", code: "TEST_SYNTAX", line: 3 });
    expect((caught as Error).message).toMatch(/malformed \\uXXXX escape "\\u12G4"/);
    expect(() => readProperties("bad=\\u12", syntaxError)).toThrow(/uXXXX/);
  });

  it("gives each pair with the line its logical line starts on, repeated keys each time", () => {
    expect(readProperties("# c\na=1\\\n  2\n\nb=3\na=4", syntaxError)).toEqual([
      { key: "a", value: "12", line: 2 },
      { key: "b", value: "3", line: 5 },
      { key: "a", value: "4", line: 6 },
    ]);
  });
});
