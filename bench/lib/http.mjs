// HTTP from the bench process to the instances: a write probe (the client's view of
// "the service is up"), and status/health reads. Keep-alive agents, loopback only.
import http from "node:http";
import { httpRequest } from "@atlas-ha/testkit";

export const ADMIN_AUTH = `Basic ${Buffer.from("admin:admin").toString("base64")}`;
export const ENTITY_PATH = "/api/atlas/v2/entity";

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** A request on the bench's keep-alive agent with a deadline for the whole exchange; resolves `{ status, headers, body }`, rejects on network errors. */
export function request(url, { method = "GET", body, headers = {}, timeoutMs = 2000 } = {}) {
  return httpRequest(url, { method, body, headers, agent, timeoutMs });
}

/** A small hive_db create, unique per call: what a user's write looks like. */
export function entityBody(qualifiedName) {
  const name = qualifiedName.split("@")[0];
  return {
    entity: {
      typeName: "hive_db",
      attributes: { qualifiedName, name, clusterName: "bench", owner: "bench" },
    },
  };
}

let probeSeq = 0;

/** One write to `baseUrl` (no redirect followed); resolves the status, 0 on a network error. */
export async function writeOnce(baseUrl, timeoutMs = 1000) {
  try {
    const res = await request(`${baseUrl}${ENTITY_PATH}`, {
      method: "POST",
      body: entityBody(`probe_${process.pid}_${Date.now()}_${probeSeq++}@bench`),
      headers: { authorization: ADMIN_AUTH },
      timeoutMs,
    });
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * Writes to every url in `urls` back to back (`intervalMs` apart after a refusal) until one
 * answers 2xx; resolves `{ at, url }` with `at` the performance.now() of that answer.
 * Rejects at `timeoutMs`.
 */
export function firstSuccessfulWrite(urls, { timeoutMs = 60_000, intervalMs = 5 } = {}) {
  return new Promise((resolve, reject) => {
    let done = false;
    const deadline = performance.now() + timeoutMs;
    const loop = async (url) => {
      while (!done) {
        const status = await writeOnce(url);
        if (done) return;
        if (status >= 200 && status < 300) {
          done = true;
          resolve({ at: performance.now(), url });
          return;
        }
        if (performance.now() > deadline) {
          done = true;
          reject(
            new Error(
              `no write succeeded on ${urls.join(", ")} within ${timeoutMs} ms (last status ${status})`,
            ),
          );
          return;
        }
        await sleep(intervalMs);
      }
    };
    for (const url of urls) void loop(url);
  });
}

/** `GET /api/atlas/admin/health` of an instance, or undefined when it does not answer. */
export async function health(baseUrl, timeoutMs = 2000) {
  try {
    const res = await request(`${baseUrl}/api/atlas/admin/health`, { timeoutMs });
    return res.status === 200 ? JSON.parse(res.body) : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Drops idle keep-alive sockets so the bench process can exit. */
export function closeHttp() {
  agent.destroy();
}
