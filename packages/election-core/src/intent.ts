/**
 * The hand-over intent (docs/contracts/election.md, "Stepping aside"): a node under the
 * election path, `handover-to-<target id, URI-encoded>.intent`, that a leader stepping aside
 * for a chosen participant creates before it deletes its own node. Its name does not end in
 * a sequence number, so it is never mistaken for a participant. It is EPHEMERAL, owned by
 * the session of the participant that steps aside: it cannot outlive that participant, and
 * that participant deletes it when its window ends.
 */
import type { ZkClient } from "./client.js";
import { isZooKeeperError } from "./errors.js";

const PREFIX = "handover-to-";
const SUFFIX = ".intent";

export interface HandoverIntent {
  path: string;
  target: string;
}

/** The intent among the election path's children, if there is one. */
export function findIntent(electionPath: string, children: string[]): HandoverIntent | null {
  const name = children.find((c) => c.startsWith(PREFIX) && c.endsWith(SUFFIX));
  if (!name) return null;
  let target: string;
  try {
    target = decodeURIComponent(name.slice(PREFIX.length, -SUFFIX.length));
  } catch {
    return null; // not one of ours
  }
  return { path: `${electionPath}/${name}`, target };
}

/** Creates the intent for `target`; an earlier one (of an earlier hand-over) is replaced. */
export async function createIntent(
  zk: ZkClient,
  electionPath: string,
  children: string[],
  target: string,
): Promise<HandoverIntent> {
  const earlier = findIntent(electionPath, children);
  if (earlier) await removeIntent(zk, earlier);
  const path = `${electionPath}/${PREFIX}${encodeURIComponent(target)}${SUFFIX}`;
  try {
    await zk.create(path, target, "ephemeral");
  } catch (error) {
    if (!isZooKeeperError(error, "ZK_NODEEXISTS")) throw error;
    await zk.remove(path);
    await zk.create(path, target, "ephemeral");
  }
  return { path, target };
}

/** Deletes the intent; gone already is fine. */
export async function removeIntent(zk: ZkClient, intent: HandoverIntent): Promise<void> {
  await zk.remove(intent.path);
}
