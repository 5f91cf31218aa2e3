import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { NetworkInterfaceInfo } from "node:os";
import { ADDRESS_PREFIX, KEYS } from "./keys.js";
import { parseHostPort, type Props } from "./values.js";

/** How to tell whether a host names this machine; every part is injectable for tests. */
export interface LocalHostProbe {
  networkInterfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  hostname: () => string;
  /** Every address a name resolves to; a failure counts as "not this machine". */
  lookup: (host: string) => Promise<string[]>;
}

export const defaultLookup = async (host: string): Promise<string[]> =>
  (await dnsLookup(host, { all: true })).map((a) => a.address);

/** IPv6 in one spelling (zone dropped, IPv4-mapped unwrapped), so addresses compare as strings. */
function canonicalIp(ip: string): string {
  const bare = ip.replace(/%.*$/, "");
  if (isIP(bare) !== 6) return bare;
  // The URL parser prints IPv6 in its canonical form, IPv4-mapped ones as ::ffff:a00:5.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

function isLoopbackOrAny(ip: string): boolean {
  return ip.startsWith("127.") || ip === "::1" || ip === "0.0.0.0" || ip === "::";
}

/**
 * Atlas's test (`NetUtils.isLocalAddress`): the host resolves to a loopback or wildcard
 * address or to an address of one of this machine's network interfaces. `localhost` and
 * the machine's own host name count without a lookup.
 */
export function localHostCheck(probe: LocalHostProbe): (host: string) => Promise<boolean> {
  let local: Set<string> | undefined;
  const isLocalIp = (ip: string): boolean => {
    local ??= new Set(
      Object.values(probe.networkInterfaces())
        .flatMap((infos) => infos ?? [])
        .map((info) => canonicalIp(info.address)),
    );
    const canonical = canonicalIp(ip);
    return isLoopbackOrAny(canonical) || local.has(canonical);
  };
  return async (host) => {
    const name = host.toLowerCase().replace(/\.$/, "");
    if (name === "localhost" || name.endsWith(".localhost")) return true;
    if (name === probe.hostname().toLowerCase()) return true;
    if (isIP(name) !== 0) return isLocalIp(name);
    let addresses: string[];
    try {
      addresses = await probe.lookup(host);
    } catch {
      return false;
    }
    return addresses.some(isLocalIp);
  };
}

export interface ServerIdInput {
  ids: readonly string[];
  addresses: Readonly<Record<string, string>>;
  haEnabled: boolean;
  /** The port this instance listens on (HTTP, or HTTPS with TLS). */
  port: number;
}

/**
 * docs/contracts/config.md: `atlas.server.id` when set (it must be one of `atlas.server.ids` when ids are
 * listed). Otherwise, as Atlas's `AtlasServerIdSelector` does, the id whose address names
 * this machine with this instance's port — except that where Atlas takes the first match
 * we refuse several, because two instances on one host would then both claim one id.
 * Without HA and without a list, or with a single id, no inference is needed.
 *
 * An explicit id is not checked against the local addresses: behind NAT or a container's
 * port mapping the published address is not a local one, which is why the key exists.
 */
export async function resolveServerId(
  props: Props,
  input: ServerIdInput,
  isLocal: (host: string) => Promise<boolean>,
): Promise<string> {
  const explicit = props.get(KEYS.serverId);
  if (explicit !== undefined) {
    if (/\s|,/.test(explicit.value))
      throw props.error(
        KEYS.serverId,
        `expected an id without blanks or commas, got ${JSON.stringify(explicit.value)}`,
      );
    if (input.ids.length > 0 && !input.ids.includes(explicit.value)) {
      throw props.error(
        KEYS.serverId,
        `"${explicit.value}" is not one of ${KEYS.ids} (${input.ids.join(", ")})`,
      );
    }
    return explicit.value;
  }
  if (!input.haEnabled && input.ids.length === 0) return "id1";
  if (!input.haEnabled && input.ids.length === 1) return input.ids[0]!;

  const candidates = input.ids.flatMap((id) => {
    const address = input.addresses[id];
    const parsed = address === undefined ? null : parseHostPort(address);
    return parsed === null ? [] : [{ id, address: address!, ...parsed }];
  });
  // Only addresses with our port can match, so only those cost a DNS lookup.
  const withPort = candidates.filter((c) => c.port === input.port);
  const local = await Promise.all(withPort.map((c) => isLocal(c.host)));
  const matches = withPort.filter((_, i) => local[i]);

  const listing = candidates.map((c) => `${c.id}=${c.address}`).join(", ");
  const howTo = `set ${KEYS.serverId}=<id> in the file (or ATLAS_SERVER_ID in the environment) to name this instance's id`;
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) {
    throw props.error(
      KEYS.serverId,
      `cannot tell which of ${KEYS.ids} is this instance: no ${ADDRESS_PREFIX}<id> names a local address with this instance's port ${input.port} (${listing || "no addresses"}); ${howTo}, or fix the addresses`,
    );
  }
  throw props.error(
    KEYS.serverId,
    `several ids name a local address with this instance's port ${input.port}: ${matches.map((m) => `${m.id}=${m.address}`).join(", ")}; ${howTo}`,
  );
}
