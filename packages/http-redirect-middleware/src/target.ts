/**
 * The request target as the client sent it (RFC 9112 §3.2), split into what a redirect may
 * carry. Works on `req.url`, the raw target: Koa's `ctx.path`/`ctx.querystring` are not
 * used because anything decoded or re-encoded would change the bytes we promise to keep.
 */

export type RequestTarget =
  /** `pathAndQuery` is copied byte for byte into `Location`; `path` is for exemption checks. */
  | { readonly kind: "redirectable"; readonly pathAndQuery: string; readonly path: string }
  /** Asterisk-form (`OPTIONS *`), authority-form, another scheme, or bytes a header cannot hold. */
  | { readonly kind: "unredirectable" };

const UNREDIRECTABLE: RequestTarget = { kind: "unredirectable" };
// A Location header can carry visible ASCII and obs-text; Node's parser already refuses the
// rest, but a server started with `insecureHTTPParser` might not.
const NOT_HEADER_SAFE = /[^\x21-\x7e\x80-\xff]/;
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

export function parseTarget(raw: string | undefined): RequestTarget {
  if (raw === undefined || raw.length === 0 || NOT_HEADER_SAFE.test(raw)) return UNREDIRECTABLE;
  if (raw.charCodeAt(0) === 0x2f /* "/" */) {
    return { kind: "redirectable", pathAndQuery: raw, path: pathPart(raw) };
  }
  // Absolute-form (`GET http://evil.example/x HTTP/1.1`): the authority in it names the server
  // the client *thinks* it talks to. We drop it, as we drop Host, and keep only path and
  // query, so the redirect still goes to the address from ZooKeeper (docs/contracts/http.md: no open redirect).
  const scheme = ABSOLUTE_FORM.exec(raw);
  if (scheme === null) return UNREDIRECTABLE;
  let rest = raw.slice(scheme[0].length);
  // RFC 9112 §3.2.2: an empty path in absolute-form means "/".
  if (rest.charCodeAt(0) !== 0x2f) rest = `/${rest}`;
  return { kind: "redirectable", pathAndQuery: rest, path: pathPart(rest) };
}

function pathPart(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf("?");
  const h = pathAndQuery.indexOf("#");
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return end === -1 ? pathAndQuery : pathAndQuery.slice(0, end);
}

/** docs/contracts/http.md: exemptions match the exact path after removing one trailing slash. */
export function trimOneTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}
