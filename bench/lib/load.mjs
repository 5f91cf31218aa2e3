// autocannon runs from a separate process (lib/load-worker.mjs), one warm-up then the
// measured run, with every answer's status checked.
import { cpuMs } from "./cluster.mjs";
import { forkWorker } from "./processes.mjs";

let worker;

async function loadWorker() {
  worker ??= forkWorker(new URL("./load-worker.mjs", import.meta.url));
  return worker;
}

/**
 * Loads `url` for `seconds` with `connections` keep-alive connections (after a 1 s warm-up)
 * and checks that every answer has status `expect`. Resolves `{ rps, p50Ms, p99Ms, … }`.
 */
export async function load({
  url,
  seconds,
  connections = 64,
  expect,
  method = "GET",
  headers,
  body,
  idReplacement,
  warmup = true,
  serverPid,
}) {
  const w = await loadWorker();
  const options = { url, connections, method, headers, body, idReplacement, pipelining: 1 };
  if (warmup) await w.ask({ ...options, duration: 1 });
  const cpuBefore = serverPid === undefined ? undefined : cpuMs(serverPid);
  const result = await w.ask({ ...options, duration: seconds });
  if (cpuBefore !== undefined) {
    // The server's own CPU per request: steadier than req/s when client and server share 2 cores.
    result.serverCpuUsPerReq = ((cpuMs(serverPid) - cpuBefore) * 1000) / result.total;
    result.serverCpuShare = (cpuMs(serverPid) - cpuBefore) / (result.durationS * 1000);
  }
  if (result.error) throw new Error(`autocannon failed: ${result.error}`);
  const wrong = Object.entries(result.statusCodes).filter(([code]) => Number(code) !== expect);
  if (result.errors > 0 || result.timeouts > 0 || wrong.length > 0) {
    throw new Error(
      `load on ${url}: expected only ${expect}, got ${JSON.stringify(result.statusCodes)}, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result;
}

export async function stopLoadWorker() {
  const w = await worker;
  worker = undefined;
  await w?.stop();
}
