import { createHash } from "node:crypto";
import { ElectionOptionsError } from "./errors.js";
import { PERM, type ZkAcl } from "./zk.js";

/**
 * The digest id ZooKeeper stores for `user:password`: `user:base64(sha1("user:password"))`.
 * Put it in `atlas.server.ha.zookeeper.acl` as `digest:<this>`.
 */
export function zkDigest(user: string, password: string): string {
  return `${user}:${createHash("sha1").update(`${user}:${password}`).digest("base64")}`;
}

/**
 * Parses `scheme:id` (docs/contracts/config.md `atlas.server.ha.zookeeper.acl`), e.g. `digest:atlas:<hash>`,
 * `ip:10.0.0.0/8`, `world:anyone`, into the ACL every node we create carries (all
 * permissions for that id, as Atlas gives them).
 */
export function parseAcl(value: string, option = "acl"): ZkAcl[] {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) {
    throw new ElectionOptionsError(
      option,
      `expected "scheme:id" (e.g. "digest:atlas:<base64 sha1>"), got "${value}"`,
    );
  }
  const scheme = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (scheme === "sasl" || scheme === "x509") {
    throw new ElectionOptionsError(
      option,
      `the "${scheme}" scheme needs a ZooKeeper client built with ${scheme === "sasl" ? "SASL (Cyrus SASL)" : "TLS"}; the "zookeeper" package's native client is built without it, so use "digest", "ip" or "world" (docs/contracts/zookeeper.md)`,
    );
  }
  if (!["digest", "ip", "world", "auth"].includes(scheme)) {
    throw new ElectionOptionsError(
      option,
      `unknown ACL scheme "${scheme}" (use digest, ip or world)`,
    );
  }
  if (scheme === "digest" && !/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(id)) {
    throw new ElectionOptionsError(
      option,
      `a digest ACL id is "user:<base64 sha1 of user:password>" (28 characters after the user); got "${id}"`,
    );
  }
  return [{ perms: PERM.ALL, scheme, id }];
}

/** Parses `scheme:auth` (docs/contracts/config.md `atlas.server.ha.zookeeper.auth`), e.g. `digest:atlas:secret`. */
export function parseAuth(value: string, option = "auth"): { scheme: string; auth: string } {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) {
    throw new ElectionOptionsError(option, `expected "scheme:auth" (e.g. "digest:atlas:secret")`);
  }
  const scheme = value.slice(0, colon);
  const auth = value.slice(colon + 1);
  if (scheme !== "digest") {
    throw new ElectionOptionsError(
      option,
      `only the "digest" scheme can authenticate this client, not "${scheme}"${scheme === "sasl" ? ": the native ZooKeeper client is built without SASL" : ""}`,
    );
  }
  if (!auth.includes(":")) {
    throw new ElectionOptionsError(option, `a digest auth is "user:password"`);
  }
  return { scheme, auth };
}

/**
 * The ACL of `<zkroot>/active_server_info`: the configured one plus READ for `world:anyone`,
 * exactly as Atlas's ActiveInstanceState builds it, so that readers without the group's
 * credentials (Apache Knox) can find the active. Only the group can change or delete it.
 */
export function withWorldRead(acl: ZkAcl[]): ZkAcl[] {
  return [...acl, { perms: PERM.READ, scheme: "world", id: "anyone" }];
}

/**
 * True when a node's ACL (`actual`) is ours: the same permissions for the same ids (order
 * aside), or ours plus world READ (`withWorldRead`, the ACL of active_server_info).
 */
export function sameAcl(actual: ZkAcl[], ours: ZkAcl[]): boolean {
  const key = (x: ZkAcl) => `${x.scheme}:${x.id}:${x.perms}`;
  const equal = (a: ZkAcl[], b: ZkAcl[]) => {
    const left = a.map(key).sort();
    const right = b.map(key).sort();
    return left.length === right.length && left.every((k, i) => k === right[i]);
  };
  return equal(actual, ours) || equal(actual, withWorldRead(ours));
}
