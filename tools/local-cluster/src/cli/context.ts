import { parseArgs } from "node:util";
import { ClusterOptionsError, ClusterStateError } from "../errors.js";
import { LocalCluster } from "../cluster.js";
import type { LocalClusterPorts } from "../options.js";

export interface Writable {
  write(text: string): unknown;
}

export interface ClusterCliOptions {
  /** Folder of `cluster.json` and `cluster/` (data, logs, pids). Default `<repo>/.atlas-ha`. */
  home?: string;
  /** How the user calls the CLI, for help and hints. Default "npm run cluster --". */
  program?: string;
  stdout?: Writable;
  stderr?: Writable;
  /** Runs after `up` has checked its arguments, before it starts anything (install, build, jars). */
  prepare?: () => void | Promise<void>;
  /** Ports of `up`; default the fixed ones of docs/contracts/local-cluster.md (21000…, 2181…, 9092, 15432). */
  ports?: (instances: number, zk: number) => LocalClusterPorts;
  /** Ends a foreground `up` as Ctrl-C does (for tests and embedding); default: signals only. */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Context {
  out: Writable;
  err: Writable;
  program: string;
  home: string;
  dataDir: string;
  clusterFile: string;
  options: ClusterCliOptions;
}

export function positiveInt(
  option: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new ClusterOptionsError(
      `--${option}`,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

type OptionsConfig = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

export function parse(args: string[], options: OptionsConfig, positionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const option = /'(-[-\w]+)/.exec(message)?.[1] ?? "arguments";
    throw new ClusterOptionsError(
      option,
      message.replace(/\. To specify a positional.*$/s, "").replace(/'(-[-\w]+)'/g, "$1"),
    );
  }
}

/** The cluster up in the CLI's home; a ClusterStateError `CLUSTER_NOT_UP` naming `up` otherwise. */
export function attachCluster(context: Context): LocalCluster {
  try {
    return LocalCluster.attach({ stateDir: context.dataDir });
  } catch (error) {
    if ((error as { code?: string }).code === "CLUSTER_NOT_UP") {
      throw new ClusterStateError(
        "CLUSTER_NOT_UP",
        `no local cluster is up (start one with ${context.program} up)`,
      );
    }
    throw error;
  }
}
