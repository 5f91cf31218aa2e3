import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { NetworkInterfaceInfo } from "node:os";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { type LoadConfigOptions, loadConfig } from "../../src/config/load.js";
import type { ServerConfig } from "../../src/config/types.js";

const made: string[] = [];

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "atlas-config-"));
  made.push(dir);
  return dir;
}

/** Writes files (path relative to `dir` → content) and returns `dir`. */
export async function writeFiles(
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** This "machine": loopback plus 10.0.0.5 and fe80::5 on eth0, host name atlas-a.example.com. */
export function fakeInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]> {
  const info = (
    address: string,
    family: "IPv4" | "IPv6",
    internal: boolean,
  ): NetworkInterfaceInfo =>
    family === "IPv4"
      ? { address, family, internal, netmask: "255.0.0.0", mac: "00:00:00:00:00:00", cidr: null }
      : {
          address,
          family,
          internal,
          netmask: "ffff::",
          mac: "00:00:00:00:00:00",
          cidr: null,
          scopeid: 2,
        };
  return {
    lo: [info("127.0.0.1", "IPv4", true), info("::1", "IPv6", true)],
    eth0: [info("10.0.0.5", "IPv4", false), info("fe80::5", "IPv6", false)],
  };
}

/** A resolver that knows a few names and fails for the rest, as an unknown name does. */
export const fakeDns: Record<string, string[]> = {
  "atlas-a.internal": ["10.0.0.5"],
  "atlas-b.internal": ["10.0.0.6"],
  "atlas-v6.internal": ["fe80:0:0:0:0:0:0:5"],
};

export const machine = {
  networkInterfaces: fakeInterfaces,
  hostname: () => "atlas-a.example.com",
  lookup: async (host: string): Promise<string[]> => {
    const found = fakeDns[host];
    if (found === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  },
} satisfies Partial<LoadConfigOptions>;

/**
 * Writes `text` as `<tmp>/conf/atlas-application.properties` (plus `extra` files under
 * `<tmp>/conf`) and loads it with an empty environment and the fake machine.
 */
export async function load(
  text: string,
  options: LoadConfigOptions & { extra?: Record<string, string | Buffer> } = {},
): Promise<ServerConfig> {
  const root = await tempDir();
  const conf = join(root, "conf");
  await writeFiles(conf, { "atlas-application.properties": text, ...options.extra });
  const { extra: _extra, ...rest } = options;
  return loadConfig({ configDir: conf, env: {}, cwd: root, ...machine, ...rest });
}

/** The rejection of a promise, or a failure when it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
