/**
 * HTTPS for the TLS tests: one request on a connection of its own (no agent, so every request
 * makes a fresh handshake and sees the certificate the server presents now), and the wait for
 * one ACTIVE and one PASSIVE instance that knows the active's address, over HTTPS.
 */
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { waitFor } from "@atlas-ha/testkit";

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The certificate the server presented: its serial number (hex) and SHA-256 fingerprint. */
  peer: { serialNumber: string; fingerprint256: string };
}

/** What the client trusts, and the certificate it presents (mutual TLS), as PEM. */
export interface HttpsClient {
  ca: Buffer[];
  cert?: Buffer;
  key?: Buffer;
}

/** One HTTPS request; redirects are not followed. */
export function httpsCall(
  url: string,
  client: HttpsClient,
  options: { method?: string; body?: string; authorization?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? "GET",
        ca: client.ca,
        ...(client.cert && client.key ? { cert: client.cert, key: client.key } : {}),
        agent: false,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(options.body ? { "content-type": "application/json" } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        // Read while the socket is still attached to the response.
        const { serialNumber = "", fingerprint256 = "" } = (
          res.socket as TLSSocket
        ).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
            peer: { serialNumber, fingerprint256 },
          }),
        );
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.end(options.body);
  });
}

/** The instance's `Status` over HTTPS, or undefined while it does not answer. */
export async function httpsState(url: string, client: HttpsClient): Promise<string | undefined> {
  try {
    const answer = await httpsCall(`${url}/api/atlas/admin/status`, client);
    return (JSON.parse(answer.text) as { Status?: string }).Status;
  } catch {
    return undefined;
  }
}

/**
 * Waits until one of two instances is ACTIVE and the other PASSIVE and knows the active's
 * address (its ZooKeeper watch fires an instant after it reports PASSIVE).
 */
export function httpsRoles<T extends { url: string }>(
  instances: readonly T[],
  client: HttpsClient,
  what: string,
): Promise<{ active: T; passive: T }> {
  return waitFor(
    async () => {
      const states = await Promise.all(instances.map((i) => httpsState(i.url, client)));
      const active = instances.filter((_, k) => states[k] === "ACTIVE");
      const passive = instances.filter((_, k) => states[k] === "PASSIVE");
      if (active.length !== 1 || passive.length !== 1) return undefined;
      const health = JSON.parse(
        (await httpsCall(`${passive[0]!.url}/api/atlas/admin/health`, client)).text,
      ) as { activeAddress: string | null };
      return health.activeAddress === active[0]!.url
        ? { active: active[0]!, passive: passive[0]! }
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what },
  );
}
