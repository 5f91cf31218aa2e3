// The baseline of a failover: election-core alone, one participant per process on the same
// ZooKeeper, as election-core's own hand-over bench runs it (its participant script is
// reused as it is). What the server adds on top is activation (store fence, hook consumer
// start, address publish) and the client's view (a write that succeeds).
import { join } from "node:path";
import { repoRoot } from "@atlas-ha/testkit";
import { jsonLineProcess } from "./processes.mjs";

const PARTICIPANT = join(repoRoot(), "packages", "election-core", "bench", "participant.mjs");

/**
 * One hand-over: participant a leads, b waits; a is closed ("clean") or SIGKILLed ("crash");
 * resolves the ms until b leads (wall clock, as the participant reports it).
 */
export async function electionHandover(connect, mode, sessionTimeoutMs, id) {
  const a = jsonLineProcess(PARTICIPANT, [connect, `a${id}`, String(sessionTimeoutMs)]);
  await a.line("leader");
  const b = jsonLineProcess(PARTICIPANT, [connect, `b${id}`, String(sessionTimeoutMs)]);
  try {
    await b.line("started");
    const t0 = Date.now();
    if (mode === "clean") a.child.stdin.write("close\n");
    else a.child.kill("SIGKILL");
    const leader = await b.line("leader");
    return leader.at - t0;
  } finally {
    b.child.stdin.write("close\n");
    await b.exited;
    if (a.child.exitCode === null && a.child.signalCode === null) {
      a.child.kill("SIGKILL");
      await a.exited;
    }
  }
}
