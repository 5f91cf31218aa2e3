/*
 * The Atlas REST calls of the tests that run real servers (atlas-server's own tests and the
 * local cluster's end-to-end tests): one request as `admin`, redirects not followed, and the
 * small entity bodies they write.
 */

/** `Authorization` of the `admin` / `admin` user the test servers are given. */
export const ATLAS_ADMIN_AUTH = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

export interface AtlasAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * One HTTP request to an instance (or any URL), redirects not followed, as admin (an
 * `authorization` header of the caller's wins; `""` sends none that counts).
 */
export async function atlasCall(
  base: string | { readonly url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<AtlasAnswer> {
  const url = `${typeof base === "string" ? base : base.url}${path}`;
  const response = await fetch(url, {
    method,
    redirect: "manual",
    headers: {
      authorization: ATLAS_ADMIN_AUTH,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A `hive_db` entity `<name>@e2e` (cluster `e2e`), with `extra` attributes. */
export function hiveDb(name: string, extra: Record<string, unknown> = {}) {
  return {
    typeName: "hive_db",
    attributes: { qualifiedName: `${name}@e2e`, name, clusterName: "e2e", ...extra },
  };
}

/** The guid of the first entity an entity-mutation answer created (or updated). */
export function guidOf(answer: AtlasAnswer, op: "CREATE" | "UPDATE" = "CREATE"): string {
  const list = (answer.json as { mutatedEntities?: Record<string, { guid: string }[]> })
    .mutatedEntities?.[op];
  if (!list?.[0]) throw new Error(`no ${op} in ${answer.text}`);
  return list[0].guid;
}
