import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hookMessagesDir } from "@atlas-ha/testkit";

/** The project's own hook messages (packages/testkit/fixtures/hook-messages), always present. */
export const MESSAGES = hookMessagesDir();

export function message(name: string): string {
  return readFileSync(join(MESSAGES, name), "utf8");
}

/** `v1/…`, `v2/…`, `derived/…`: every fixture file, by its path in the folder. */
export function messageNames(): string[] {
  return ["v1", "v2", "derived"].flatMap((dir) =>
    readdirSync(join(MESSAGES, dir))
      .filter((n) => n.endsWith(".json"))
      .map((n) => `${dir}/${n}`),
  );
}
