/**
 * Errors of the local cluster launcher. Check `name` and `code`, never `instanceof`.
 */

/** An option of the cluster launcher (or of the CLI) is missing or malformed; `option` names it. */
export class ClusterOptionsError extends Error {
  override readonly name = "ClusterOptionsError" as const;
  readonly code = "CLUSTER_BAD_OPTION" as const;
  readonly option: string;
  constructor(option: string, message: string) {
    // The message names the option, once.
    super(message.includes(option) ? message : `${option}: ${message}`);
    this.option = option;
  }
}

export interface TakenPort {
  port: number;
  /** What the cluster wanted it for, e.g. "kafka" or "atlas-1 (HTTP)". */
  use: string;
  /** The process listening there, when /proc tells. */
  holder?: { pid: number; command: string } | undefined;
}

/** A fixed port the cluster needs is already taken; every taken port is listed. */
export class PortInUseError extends Error {
  override readonly name = "PortInUseError" as const;
  readonly code = "CLUSTER_PORT_IN_USE" as const;
  readonly ports: TakenPort[];
  constructor(ports: TakenPort[]) {
    const lines = ports.map(
      (p) =>
        `  ${p.port} (for ${p.use}) is taken` +
        (p.holder ? ` by pid ${p.holder.pid} (${p.holder.command})` : " by another process"),
    );
    super(
      `${ports.length === 1 ? "a port" : "ports"} of the local cluster ${ports.length === 1 ? "is" : "are"} in use:\n` +
        `${lines.join("\n")}\n` +
        `Stop what holds ${ports.length === 1 ? "it" : "them"} (an earlier local cluster? npm run cluster -- down) and try again.`,
    );
    this.ports = ports;
  }
}

/**
 * The cluster is not in a state that allows the request: `CLUSTER_ALREADY_UP` (refusing a
 * second `up`), `CLUSTER_NOT_UP` (nothing to act on), `CLUSTER_NO_ZK_PROXY` (a proxy asked of
 * a cluster started without `zkProxy`).
 */
export class ClusterStateError extends Error {
  override readonly name = "ClusterStateError" as const;
  readonly code: "CLUSTER_ALREADY_UP" | "CLUSTER_NOT_UP" | "CLUSTER_NO_ZK_PROXY";
  constructor(
    code: "CLUSTER_ALREADY_UP" | "CLUSTER_NOT_UP" | "CLUSTER_NO_ZK_PROXY",
    message: string,
  ) {
    super(message);
    this.code = code;
  }
}

/** No process of the cluster has this name; the message lists the names there are. */
export class UnknownMemberError extends Error {
  override readonly name = "UnknownMemberError" as const;
  readonly code = "CLUSTER_UNKNOWN_MEMBER" as const;
  readonly member: string;
  constructor(member: string, known: string[]) {
    super(`no process named "${member}" in the cluster (there are: ${known.join(", ")})`);
    this.member = member;
  }
}
