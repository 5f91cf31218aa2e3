import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { atlasSamplesRequired, hookFixturesDir } from "@atlas-ha/testkit";

/** Real Atlas hook samples, kept beside the repo (never copied into it): an extra cross-check. */
export const FIXTURES = hookFixturesDir() ?? "(absent)";
export const hasFixtures = FIXTURES !== "(absent)";
/** Skip the cross-check only when the samples are absent and not required (CI requires them). */
export const skipAtlasSamples = !hasFixtures && !atlasSamplesRequired();

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

export function fixtureNames(dir = ""): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((n) => n.endsWith(".json"))
    .map((n) => (dir ? `${dir}/${n}` : n));
}

/** Fills a template's placeholders as the fixtures README describes. */
export function fill(
  template: string,
  values: { name: string; clName: string; ts: number; execTime?: number },
): string {
  return template
    .replaceAll('"--ts--"', String(values.ts))
    .replaceAll("--execTime--", String(values.execTime ?? values.ts))
    .replaceAll("--name--", values.name)
    .replaceAll("--clName--", values.clName);
}

export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
