// One participant per process for the hand-over benchmark. argv: connect id sessionTimeoutMs.
// Prints {"type":"leader","at":<wall ms>} when it leads, and closes on "close" from stdin.
import { createInterface } from "node:readline";
import { createElection } from "../dist/index.js";

const [connect, id, sessionTimeoutMs] = process.argv.slice(2);
const election = createElection({
  connect,
  id,
  sessionTimeoutMs: Number(sessionTimeoutMs),
  zkRoot: "/bench",
});
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
election.on("leader", ({ epoch, at }) => print({ type: "leader", epoch, at }));
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line === "close") {
    const at = Date.now();
    await election.close();
    print({ type: "closed", at });
    process.exit(0);
  }
});
await election.start();
print({ type: "started" });
