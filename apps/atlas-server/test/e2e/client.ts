import type { AtlasInstance } from "@atlas-ha/testkit";

export const AUTH = `Basic ${Buffer.from("admin:admin").toString("base64")}`;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One HTTP request to an instance (or any URL), redirects not followed, as admin. */
export async function call(base: string | AtlasInstance, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = `${typeof base === "string" ? base : base.url}${path}`;
  const response = await fetch(url, {
    method,
    redirect: "manual",
    headers: { authorization: AUTH, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
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

export function hiveDb(name: string, extra: Record<string, unknown> = {}) {
  return { typeName: "hive_db", attributes: { qualifiedName: `${name}@e2e`, name, clusterName: "e2e", ...extra } };
}

export function guidOf(answer: Answer, op: "CREATE" | "UPDATE" = "CREATE"): string {
  const list = (answer.json as { mutatedEntities?: Record<string, { guid: string }[]> }).mutatedEntities?.[op];
  if (!list?.[0]) throw new Error(`no ${op} in ${answer.text}`);
  return list[0].guid;
}
