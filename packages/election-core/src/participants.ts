// Reading the line of participants under the election path: who is in it, in which order,
// how this participant enters it, and whether it is still first with its own node.
import { randomUUID } from "node:crypto";
import type { ZkClient } from "./client.js";
import { isZooKeeperError } from "./errors.js";
import type { Participant } from "./types.js";

const SEQUENCE = /(\d{10})$/;

function sequenceOf(name: string): number {
  const match = SEQUENCE.exec(name);
  return match ? Number(match[1]) : Number.NaN;
}

/** Of the election path's children, the participant nodes' names, in sequence order. */
export function inLine(children: string[]): string[] {
  return children
    .filter((c) => !Number.isNaN(sequenceOf(c)))
    .sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** The participant nodes' names under the election path, in sequence order. */
export async function participantNodes(zk: ZkClient, electionPath: string): Promise<string[]> {
  return inLine(await zk.getChildren(electionPath));
}

/** Every participant, in election order, with its id and epoch; `self` is this one's node. */
export async function readParticipants(
  zk: ZkClient,
  electionPath: string,
  self: string | null,
): Promise<Participant[]> {
  const names = await participantNodes(zk, electionPath);
  const read = await Promise.all(
    names.map(async (name) => {
      const path = `${electionPath}/${name}`;
      try {
        const { data, stat } = await zk.getData(path);
        return { name, path, id: data.toString("utf8"), czxid: stat.czxid };
      } catch (error) {
        if (isZooKeeperError(error, "ZK_NONODE")) return null; // left meanwhile
        throw error;
      }
    }),
  );
  const present = read.filter((p): p is NonNullable<typeof p> => p !== null);
  return present.map((p, i) => ({
    id: p.id,
    node: p.path,
    sequence: sequenceOf(p.name),
    epoch: p.czxid,
    isLeader: i === 0,
    isSelf: p.path === self,
  }));
}

/** True when `node` is first in line, owned by this session, with the term's epoch as czxid. */
export async function stillFirst(
  zk: ZkClient,
  electionPath: string,
  node: string,
  epoch: number | null,
): Promise<boolean> {
  let children: string[];
  try {
    children = await participantNodes(zk, electionPath);
  } catch (error) {
    if (isZooKeeperError(error, "ZK_NONODE")) return false; // the election path is gone
    throw error;
  }
  if (`${electionPath}/${children[0]}` !== node) return false;
  const stat = await zk.exists(node);
  return !!stat && stat.ephemeralOwner === zk.sessionId && stat.czxid === epoch;
}

/**
 * Puts this participant in line: adopts the node that a create whose answer was lost with
 * the connection made (its prefix in `pending`), rather than leaving a twin of ours ahead in
 * the queue, else creates one. The prefix is recorded before the create for that reason.
 */
export async function enterLine(
  zk: ZkClient,
  electionPath: string,
  id: string,
  pending: { prefix: string | null },
): Promise<string> {
  if (pending.prefix) {
    const prefix = pending.prefix;
    const children = await zk.getChildren(electionPath);
    const mine = children.find((c) => c.startsWith(prefix));
    if (mine) {
      const stat = await zk.exists(`${electionPath}/${mine}`);
      if (stat && stat.ephemeralOwner === zk.sessionId) {
        pending.prefix = null;
        return `${electionPath}/${mine}`;
      }
    }
  }
  const prefix = `_c_${randomUUID()}-latch-`;
  pending.prefix = prefix;
  const node = await zk.create(`${electionPath}/${prefix}`, id, "ephemeral_sequential");
  pending.prefix = null;
  return node;
}
