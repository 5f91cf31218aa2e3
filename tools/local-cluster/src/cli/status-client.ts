import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { statusClientBin } from "../bins.js";
import { EXIT_FAILED, type Context } from "./context.js";

/** Runs the built atlas-status CLI (status-client) against the instances. */
export function runStatusClient(
  urls: string[],
  extra: string[],
  context: Context,
  print: boolean,
): Promise<{ code: number; stdout: string }> {
  const cli = statusClientBin();
  if (!existsSync(cli)) {
    throw new Error(
      `the status-client is not built: ${cli} is missing (run npm run build at the repo root)`,
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...extra, ...urls], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (print) context.out.write(chunk.toString());
    });
    child.stderr.on("data", (chunk: Buffer) => context.err.write(chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code: code ?? EXIT_FAILED, stdout }));
  });
}
