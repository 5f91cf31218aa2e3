/** The four service states an Atlas instance reports on its status endpoint (docs/contracts/states.md). */
export const ATLAS_STATES = ["ACTIVE", "PASSIVE", "BECOMING_ACTIVE", "BECOMING_PASSIVE"] as const;
export type AtlasState = (typeof ATLAS_STATES)[number];

/**
 * What a probe concluded: one of the Atlas states, or that the instance could not be
 * reached (refused, timed out, DNS) or answered something that is not a status.
 */
export const PROBE_STATES = [...ATLAS_STATES, "UNREACHABLE", "INVALID"] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export const TRANSITIONAL_STATES: readonly AtlasState[] = ["BECOMING_ACTIVE", "BECOMING_PASSIVE"];

export function isAtlasState(value: unknown): value is AtlasState {
  return typeof value === "string" && (ATLAS_STATES as readonly string[]).includes(value);
}

export function isTransitional(state: ProbeState): boolean {
  return (TRANSITIONAL_STATES as readonly string[]).includes(state);
}
