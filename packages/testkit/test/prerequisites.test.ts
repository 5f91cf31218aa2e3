import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("prerequisites", () => {
  it("names Java ≥ 17 when java cannot be found", async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [cli, "fetch-jars"],
        {
          env: { ...process.env, JAVA_HOME: "/nonexistent-jdk" },
        },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
      child.stdin?.end();
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Java ≥ 17 is needed/);
    expect(result.stderr).toMatch(/JAVA_HOME/);
  });
});
