/**
 * `atlas-server switchover [--to ID] --url URL [--user NAME] [--json]`: asks the active to hand
 * over (POST admin/ha/switchover, api/switchover.ts). `--url` may name any instance: a passive
 * redirects to the active, and the request follows with its credentials (fetch would drop
 * them on a redirect to another port). The password comes from ATLAS_PASSWORD or stdin.
 */
import { parseArgs } from "node:util";

const PATH = "/api/atlas/admin/ha/switchover";

export interface SwitchoverAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Posts the request, following up to three redirects; rejects on network errors. */
export async function requestSwitchover(options: {
  url: string;
  user: string;
  password: string;
  to: string | null;
  timeoutMs?: number;
}): Promise<SwitchoverAnswer> {
  const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`;
  let url = new URL(PATH, options.url).href;
  for (let hop = 0; ; hop++) {
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify(options.to === null ? {} : { to: options.to }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location && hop < 3) {
      url = new URL(location, url).href;
      continue;
    }
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { errorMessage: text.slice(0, 500) };
    }
    return { status: res.status, body };
  }
}

/** A two-column table of the answer. */
export function formatSwitchover(answer: SwitchoverAnswer): string {
  const b = answer.body;
  const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "-");
  const rows: [string, string][] =
    answer.status === 200
      ? [
          ["outcome", text(b.outcome)],
          ["from", text(b.from)],
          ["to", text(b.to)],
          ["took", `${text(b.tookMs)} ms`],
          ["rejoins after", `${text(b.windowMs)} ms (as passive)`],
        ]
      : [
          ["outcome", "refused"],
          ["status", String(answer.status)],
          ["errorCode", text(b.errorCode)],
          ["reason", text(b.errorMessage)],
        ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

export async function switchoverCommand(
  argv: string[],
  readPassword: () => Promise<string>,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        to: { type: "string" },
        user: { type: "string", short: "u" },
        json: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`atlas-server switchover: ${(error as Error).message}\n`);
    return 2;
  }
  if (!values.url) {
    process.stderr.write(
      "atlas-server switchover: --url http(s)://host:port of an instance is required\n",
    );
    return 2;
  }
  const password = process.env.ATLAS_PASSWORD ?? (await readPassword());
  try {
    const answer = await requestSwitchover({
      url: values.url,
      user: values.user ?? process.env.ATLAS_USER ?? "admin",
      password,
      to: values.to ?? null,
    });
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ status: answer.status, ...answer.body })}\n`
        : `${formatSwitchover(answer)}\n`,
    );
    return answer.status === 200 && answer.body.outcome === "completed" ? 0 : 1;
  } catch (error) {
    process.stderr.write(`atlas-server switchover: ${(error as Error).message}\n`);
    return 1;
  }
}
