/**
 * Server addresses as ZooKeeper's `active_server_info` holds them (docs/contracts/zookeeper.md):
 * `http://host:port` or `https://host:port`, nothing else.
 */

/**
 * The canonical origin of an address (`http://10.0.0.5:21000`), or `null` when the text is
 * not a bare http(s) origin. One trailing slash is tolerated; a path, query, fragment or
 * user info is not, because a redirect target must be "this server" and nothing more.
 */
export function originOf(address: string): string | null {
  // The WHATWG parser forgives surrounding whitespace and control characters; we do not,
  // since the result ends up in a Location header.
  if (address.length === 0 || /[^\x21-\x7e]/.test(address)) return null;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") return null;
  // `new URL("http://h/")` and `new URL("http://h/?")` both give search "", so check the text.
  if (/[?#]/.test(address)) return null;
  if (address.replace(/^[a-z]+:\/\/[^/]*/i, "").length > 1) return null;
  return url.origin;
}
