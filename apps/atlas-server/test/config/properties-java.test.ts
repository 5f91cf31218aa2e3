import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkJava, javaBin } from "@atlas-ha/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { parseProperties } from "../../src/config/properties.js";
import { tempDir } from "./helpers.js";

const run = promisify(execFile);

/*
 * The parser is compared with the real thing: java.util.Properties.load(Reader) of the
 * installed JDK, run on hand-written tricky texts and on a deterministic random corpus
 * over the characters that matter to the syntax.
 */
const DUMP = `
import java.nio.file.*;
import java.util.*;

public class PropsDump {
  static String q(String s) {
    StringBuilder b = new StringBuilder("\\"");
    for (char c : s.toCharArray()) b.append(String.format("\\\\u%04x", (int) c));
    return b.append("\\"").toString();
  }
  public static void main(String[] args) throws Exception {
    String all = new String(Files.readAllBytes(Paths.get(args[0])), "UTF-8");
    for (String text : all.split("\\u0000", -1)) {
      Properties p = new Properties();
      try {
        p.load(new java.io.StringReader(text));
      } catch (IllegalArgumentException e) {
        System.out.println("null");
        continue;
      }
      StringBuilder out = new StringBuilder("{");
      for (String k : p.stringPropertyNames()) {
        if (out.length() > 1) out.append(",");
        out.append(q(k)).append(":").append(q(p.getProperty(k)));
      }
      System.out.println(out.append("}"));
    }
  }
}
`;

const HAND_WRITTEN = [
  "a=1\nb:2\nc 3\nd\t4\ne \t = \t 5\nf\f:6",
  "a==b\nc=:d\ne : = f\ng h=i",
  "# a=1\n  ! b=2\n\n   \nd=4 # x\n",
  "   key = value  \t",
  "lonely\nempty=\nspaced =   \n=orphan",
  "list=a,\\\n    b,\\\n\t  c\nnext=1\n",
  "path=C:\\\\dir\\\\\nnext=1",
  "a=1\\\n# still a\nb=2",
  "# comment \\\nreal=1",
  "a=1\\\n\nb=2",
  "a=1\\\n   \nb=2",
  "a=1\\",
  "a=1\r\nb=2\rc=3\nd=x\\\r\n  y",
  "v=a\\tb\\nc\\rd\\fe\nu=\\u00e9t\\u00C9\\u20ac\nother=\\q\\\\\\=\\:\\#\\!\\ ",
  "my\\ key\\=x\\:y = v\n\\#not-comment=1",
  "a=\\  padded",
  "a=1\nb=x\na=2\n a = 3",
  "bad=\\u12G4",
  "k\\\n  ey=v",
  "key\\\n=v",
  "\\\n",
  "a\\\\\\\nb=c",
  "é=ü\nkey=日本",
];

/** Deterministic pseudo-random texts (a small LCG, so failures reproduce). */
function randomCorpus(count: number): string[] {
  const alphabet = [
    "a",
    "b",
    "=",
    ":",
    " ",
    "\t",
    "\f",
    "\\",
    "\\",
    "\n",
    "\r",
    "\r\n",
    "#",
    "!",
    "u",
    "0",
    "4",
    "e",
    "é",
  ];
  let seed = 20_260_101;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + (next() % 40);
    return Array.from({ length }, () => alphabet[next() % alphabet.length]).join("");
  });
}

const ours = (text: string): Record<string, string> | null => {
  try {
    return Object.fromEntries(parseProperties(text));
  } catch (error) {
    if ((error as Error).name === "ConfigSyntaxError") return null;
    throw error;
  }
};

describe("parseProperties agrees with java.util.Properties (runs the JDK)", () => {
  beforeAll(async () => {
    await checkJava();
  });

  async function javaParse(texts: string[]): Promise<(Record<string, string> | null)[]> {
    const dir = await tempDir();
    await writeFile(join(dir, "PropsDump.java"), DUMP);
    // One file, texts separated by NUL (which no text holds), so one JVM parses them all.
    await writeFile(join(dir, "cases"), texts.join("\0"), "utf8");
    const { stdout } = await run(javaBin(), [join(dir, "PropsDump.java"), join(dir, "cases")], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, string> | null);
  }

  it("on hand-written tricky texts", async () => {
    const expected = await javaParse(HAND_WRITTEN);
    HAND_WRITTEN.forEach((text, i) =>
      expect({ text, parsed: ours(text) }).toEqual({ text, parsed: expected[i] }),
    );
  });

  it("on 5000 random texts over the syntax characters", async () => {
    const corpus = randomCorpus(5000);
    const expected = await javaParse(corpus);
    corpus.forEach((text, i) =>
      expect({ text, parsed: ours(text) }).toEqual({ text, parsed: expected[i] }),
    );
  });
});
