import { findActive, type GroupStatus } from "./group.js";
import { fetchHealth, type Failover, type InstanceHealth } from "./health.js";
import { resolveProbeOptions, type ProbeOptions } from "./options.js";
import type { InstanceStatus } from "./probe.js";
import { normalizeBaseUrl } from "./url.js";

/** One instance of the group: what its status endpoint said, and its health detail. */
export interface MemberView extends InstanceStatus {
  /** Its `admin/health` answer; null when it has none (Apache Atlas) or did not answer. */
  health: InstanceHealth | null;
}

/** The whole group at one moment: the verdict of `findActive`, each member, the last failovers. */
export interface GroupView {
  group: Omit<GroupStatus, "instances" | "actives" | "active"> & {
    active: string | null;
    activeCount: number;
  };
  members: MemberView[];
  /** The failovers the members remember, newest first, one per epoch. */
  failovers: Failover[];
}

/** How many failovers a GroupView keeps. */
export const FAILOVERS_SHOWN = 5;

/**
 * Probes every instance's status (the verdict is exactly `findActive`'s) and, in parallel, its
 * health: the facts the HA page and `atlas-status --top` show. An instance whose status
 * probe fails is UNREACHABLE or INVALID and stays in the list.
 */
export async function inspectGroup(
  urls: readonly string[],
  options: ProbeOptions = {},
): Promise<GroupView> {
  const opts = resolveProbeOptions(options);
  const bases = [...new Set(urls.map(normalizeBaseUrl))];
  const [group, healths] = await Promise.all([
    findActive(bases, options),
    Promise.all(bases.map((base) => fetchHealth(base, opts, options.signal))),
  ]);
  const members = group.instances.map((instance) => ({
    ...instance,
    health: healths[bases.indexOf(instance.url)] ?? null,
  }));
  const { verdict, exitCode, problem, summary, checkedAt, durationMs } = group;
  return {
    group: {
      verdict,
      exitCode,
      problem,
      summary,
      checkedAt,
      durationMs,
      active: group.active?.url ?? null,
      activeCount: group.actives.length,
    },
    members,
    failovers: mergeFailovers(members),
  };
}

/** Each member remembers the failovers it made; one per epoch (the epoch names the term), newest first. */
function mergeFailovers(members: MemberView[]): Failover[] {
  const byKey = new Map<string, Failover>();
  for (const member of members) {
    for (const f of member.health?.failovers ?? []) {
      const key = f.epoch === null ? `${f.serverId}@${f.at}` : `epoch ${f.epoch}`;
      if (!byKey.has(key)) byKey.set(key, f);
    }
  }
  return [...byKey.values()]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, FAILOVERS_SHOWN);
}
