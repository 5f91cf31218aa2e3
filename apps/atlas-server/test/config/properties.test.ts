import { describe, expect, it } from "vitest";
import { parseProperties, readProperties } from "../../src/config/properties.js";

const parse = (text: string) => Object.fromEntries(parseProperties(text));

describe("parseProperties (java.util.Properties.load syntax)", () => {
  it("separates key and value by '=', ':' or blanks, with blanks around the separator", () => {
    expect(parse("a=1\nb:2\nc 3\nd\t4\ne \t = \t 5\nf\f:6")).toEqual({
      a: "1",
      b: "2",
      c: "3",
      d: "4",
      e: "5",
      f: "6",
    });
  });

  it("takes only the first separator: the rest belongs to the value", () => {
    expect(parse("a==b\nc=:d\ne : = f\ng h=i\nurl=http://host:21000/x?y=z")).toEqual({
      a: "=b",
      c: ":d",
      e: "= f",
      g: "h=i",
      url: "http://host:21000/x?y=z",
    });
  });

  it("skips comments starting with # or ! after leading blanks, and blank lines", () => {
    expect(parse("# a=1\n  ! b=2\n\t# c=3\n\n   \n\f\nd=4 # not a comment\n")).toEqual({
      d: "4 # not a comment",
    });
  });

  it("keeps trailing blanks of a value but drops leading blanks of the line", () => {
    expect(parse("   key = value  \t")).toEqual({ key: "value  \t" });
  });

  it("gives a key without a value the empty string, and a line of only a separator the empty key", () => {
    expect(parse("lonely\nempty=\nspaced =   \n=orphan")).toEqual({
      lonely: "",
      empty: "",
      spaced: "",
      "": "orphan",
    });
  });

  it("joins lines ending with an odd number of backslashes, dropping the next line's indentation", () => {
    const text = "list=a,\\\n    b,\\\n\t  c\nnext=1\n";
    expect(parse(text)).toEqual({ list: "a,b,c", next: "1" });
  });

  it("does not join after an even number of backslashes (an escaped backslash)", () => {
    expect(parse("path=C:\\\\dir\\\\\nnext=1")).toEqual({ path: "C:\\dir\\", next: "1" });
  });

  it("treats # and ! on a continuation line as text, not as a comment", () => {
    expect(parse("a=1\\\n# still a\nb=2")).toEqual({ a: "1# still a", b: "2" });
  });

  it("never continues a comment line", () => {
    expect(parse("# comment \\\nreal=1")).toEqual({ real: "1" });
  });

  it("ends a continuation at a following blank line", () => {
    expect(parse("a=1\\\n\nb=2")).toEqual({ a: "1", b: "2" });
    expect(parse("a=1\\\n   \nb=2")).toEqual({ a: "1", b: "2" });
  });

  it("drops a continuation backslash at the very end of the text", () => {
    expect(parse("a=1\\")).toEqual({ a: "1" });
  });

  it("accepts \\n, \\r and \\r\\n line ends, also inside continuations", () => {
    expect(parse("a=1\r\nb=2\rc=3\nd=x\\\r\n  y")).toEqual({ a: "1", b: "2", c: "3", d: "xy" });
  });

  it("decodes \\t \\n \\r \\f, \\uXXXX, and any other escaped character as itself", () => {
    expect(
      parse("v=a\\tb\\nc\\rd\\fe\nu=\\u00e9t\\u00C9\\u20ac\nother=\\q\\\\\\=\\:\\#\\!\\ "),
    ).toEqual({
      v: "a\tb\nc\rd\fe",
      u: "étÉ€",
      other: "q\\=:#! ",
    });
  });

  it("allows escaped separators and blanks inside keys", () => {
    expect(parse("my\\ key\\=x\\:y = v\n\\#not-comment=1")).toEqual({
      "my key=x:y": "v",
      "#not-comment": "1",
    });
  });

  it("keeps a leading escaped blank in a value", () => {
    expect(parse("a=\\  padded")).toEqual({ a: "  padded" });
  });

  it("lets the last of a repeated key win", () => {
    expect(parse("a=1\nb=x\na=2\n a = 3")).toEqual({ a: "3", b: "x" });
  });

  it("refuses a malformed \\u escape as Java does, naming the file and line", () => {
    const error = (() => {
      try {
        readProperties("ok=1\n\n bad=\\u12G4\n", "/etc/atlas/atlas-application.properties");
      } catch (e) {
        return e as { name: string; code: string; line: number; message: string };
      }
      throw new Error("expected an error");
    })();
    expect(error.name).toBe("ConfigSyntaxError");
    expect(error.code).toBe("CONFIG_SYNTAX");
    expect(error.line).toBe(3);
    expect(error.message).toContain("/etc/atlas/atlas-application.properties:3");
    expect(() => readProperties("bad=\\u12")).toThrow(/uXXXX/);
  });

  it("reports the line where each logical line starts", () => {
    expect(readProperties("# c\na=1\\\n  2\n\nb=3")).toEqual([
      { key: "a", value: "12", line: 2 },
      { key: "b", value: "3", line: 5 },
    ]);
  });

  it("reads an empty text as no properties", () => {
    expect(parse("")).toEqual({});
    expect(parse("\n\n# only comments\n")).toEqual({});
  });
});
