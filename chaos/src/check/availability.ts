// (5) Time to recovery: how long writes were not served, from the acknowledgement times.

/**
 * (5) Write availability between `from` and `to` (epoch ms), from the acknowledgement times
 * of every writer (sorted): the longest stretch without an acknowledgement (counted from
 * `from` itself), and when writes were served again for good — the acknowledgement that ended
 * the last stretch of at least `outageMs`, or, when there was no such outage, the first
 * acknowledgement after `from`. `servedAt` is null when writes were not served at the end.
 */
export function writeAvailability(
  ackTimes: readonly number[],
  from: number,
  to: number,
  outageMs: number,
): { longestGapMs: number; servedAt: number | null } {
  let previous = from;
  let longestGapMs = 0;
  let first: number | null = null;
  let afterLastOutage: number | null = null;
  for (const at of ackTimes) {
    if (at < from) continue;
    if (at > to) break;
    const gap = at - previous;
    longestGapMs = Math.max(longestGapMs, gap);
    first ??= at;
    if (gap >= outageMs) afterLastOutage = at;
    previous = at;
  }
  longestGapMs = Math.max(longestGapMs, to - previous);
  if (to - previous >= outageMs) return { longestGapMs, servedAt: null };
  return { longestGapMs, servedAt: afterLastOutage ?? first };
}
