// The instances' own logs: warnings and errors by event, and those that point at a bug.
import { EXAMPLES } from "./common.js";

export interface ServerLogFigure {
  /** Warn and error events of every instance, by event name. */
  byEvent: Record<string, { level: string; count: number }>;
  /**
   * Events that mean a bug rather than a fault being handled: a listener or a step that threw,
   * an unexpected HTTP error, an unhandled rejection.
   */
  suspicious: { instance: string; time: string; event: string; error: string }[];
  suspiciousCount: number;
}

const SUSPICIOUS =
  /_listener_failed$|^http_unexpected_error$|^passivation_failed$|^election_step_failed$|^uncaught|^unhandled/;

/** Warnings and errors in the instances' logs (pino JSON lines), and the suspicious ones. */
export function scanServerLogs(
  logs: readonly { instance: string; text: string }[],
): ServerLogFigure {
  const byEvent: ServerLogFigure["byEvent"] = {};
  const suspicious: ServerLogFigure["suspicious"] = [];
  let suspiciousCount = 0;
  for (const { instance, text } of logs) {
    for (const line of text.split("\n")) {
      if (
        !line.startsWith("{") ||
        !(
          line.includes('"level":"warn"') ||
          line.includes('"level":"error"') ||
          line.includes('"level":"fatal"')
        )
      )
        continue;
      let entry: { level?: string; event?: string; time?: string; error?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      const event = entry.event ?? "(no event)";
      const seen = (byEvent[event] ??= { level: entry.level ?? "?", count: 0 });
      seen.count++;
      if (SUSPICIOUS.test(event)) {
        suspiciousCount++;
        if (suspicious.length < EXAMPLES)
          suspicious.push({
            instance,
            time: entry.time ?? "?",
            event,
            error: String(entry.error ?? "").slice(0, 300),
          });
      }
    }
  }
  return { byEvent, suspicious, suspiciousCount };
}
