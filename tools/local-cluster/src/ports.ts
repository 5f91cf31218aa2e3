import { isPortFree, portHolder } from "@atlas-ha/testkit";
import { PortInUseError, type TakenPort } from "./errors.js";

/**
 * Fails with a PortInUseError naming every taken port, its intended use and (when /proc
 * tells) the process holding it, before anything is started: a half-started cluster that
 * fails on its fourth port would be worse.
 */
export async function assertPortsFree(wanted: { port: number; use: string }[]): Promise<void> {
  const taken: TakenPort[] = [];
  for (const { port, use } of wanted) {
    if (!(await isPortFree(port))) taken.push({ port, use, holder: portHolder(port) });
  }
  if (taken.length > 0) throw new PortInUseError(taken);
}
