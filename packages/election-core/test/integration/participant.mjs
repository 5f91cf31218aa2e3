// A participant in its own process, for tests that SIGKILL or SIGSTOP it.
// argv: connect id sessionTimeoutMs [zkRoot]. Prints one JSON line per election event and
// answers "status" lines on stdin with {"type":"status",isLeader,epoch,...}.
import { createInterface } from "node:readline";
import { createElection } from "../../dist/index.js";

const [connect, id, sessionTimeout, zkRoot] = process.argv.slice(2);
const election = createElection({
  connect,
  id,
  sessionTimeoutMs: Number(sessionTimeout),
  zkRoot: zkRoot || undefined,
});
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
for (const type of ["leader", "follower", "suspended", "lost", "error", "connection"]) {
  election.on(type, (payload) => print({ type, ...payload, error: payload.error?.message }));
}
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "status") {
    print({
      type: "status",
      isLeader: election.isLeader(),
      epoch: election.epoch,
      state: election.connectionState,
      sessionId: election.zk.sessionId,
    });
  } else if (line === "close") {
    election.close().then(() => process.exit(0));
  }
});
await election.start();
print({ type: "started" });
