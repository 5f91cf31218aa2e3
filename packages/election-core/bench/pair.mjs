// Clean hand-over with both participants in this one process (each with its own ZooKeeper
// session), the Node side of the comparison with Curator's LeaderLatch (curator/): a leads,
// b waits with its watch set (start() resolved), then a.close() → b's "leader" event, timed
// with performance.now(). argv: connect sessionTimeoutMs zkRoot. Prints {"type":"ready"};
// each stdin line "run N" runs N rounds and prints {"type":"samples","samples":[ms, …]}.
import { createInterface } from "node:readline";
import { createElection } from "../dist/index.js";

const [connect, sessionTimeoutMs, zkRoot] = process.argv.slice(2);
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const participant = (id) =>
  createElection({ connect, id, sessionTimeoutMs: Number(sessionTimeoutMs), zkRoot });

async function handover() {
  const a = participant("a");
  await a.start(); // resolves once a leads (it is alone)
  const b = participant("b");
  let ledAt = 0;
  const led = new Promise((resolve) =>
    b.on("leader", () => {
      ledAt = performance.now();
      resolve();
    }),
  );
  await b.start(); // resolves once b watches a's node
  const t0 = performance.now();
  const closed = a.close();
  await led;
  const ms = ledAt - t0;
  await Promise.all([closed, b.close()]);
  return ms;
}

const lines = createInterface({ input: process.stdin });
print({ type: "ready" });
for await (const line of lines) {
  if (line === "exit") break;
  if (!line.startsWith("run ")) continue;
  const samples = [];
  for (let i = Number(line.slice(4)); i > 0; i--) samples.push(await handover());
  print({ type: "samples", samples });
}
process.exit(0);
