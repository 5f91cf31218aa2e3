/**
 * Apache Atlas's official Python client (`apache-atlas` from PyPI, the version pinned here),
 * for tests that call this server the way its Python users do. It is installed once into a
 * virtualenv cached under the repository's node_modules/.cache (python3 and pip from PyPI are
 * the prerequisites); a script then runs with the venv's interpreter and prints JSON.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const PYTHON_CLIENT_VERSION = "0.0.16";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const venvDir = resolve(
  packageDir,
  `../../node_modules/.cache/apache-atlas-python-${PYTHON_CLIENT_VERSION}`,
);
const python = join(venvDir, "bin", "python");
const ready = join(venvDir, ".installed");

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = `${venvDir}.lock`;
  const deadline = Date.now() + 300_000;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock}: still held after 5 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Creates the venv with the client once (minutes at most); later calls return at once. */
export async function ensurePythonClient(): Promise<string> {
  if (existsSync(ready)) return python;
  await withLock(async () => {
    if (existsSync(ready)) return;
    rmSync(venvDir, { recursive: true, force: true });
    await run("python3", ["-m", "venv", venvDir], { timeout: 120_000 });
    await run(
      python,
      [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        `apache-atlas==${PYTHON_CLIENT_VERSION}`,
      ],
      { timeout: 300_000 },
    );
    writeFileSync(ready, `apache-atlas==${PYTHON_CLIENT_VERSION}\n`);
  });
  return python;
}

/**
 * Runs `script` with the client installed; `ATLAS_URL` in its environment is `url`. The
 * script's last stdout line must be JSON: that is the result.
 */
export async function runPythonClient(script: string, url: string): Promise<unknown> {
  const interpreter = await ensurePythonClient();
  const file = join(venvDir, `script-${process.pid}-${Date.now()}.py`);
  writeFileSync(file, script);
  try {
    const { stdout } = await run(interpreter, [file], {
      env: { ...process.env, ATLAS_URL: url, PYTHONUNBUFFERED: "1" },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1]!);
  } finally {
    rmSync(file, { force: true });
  }
}
