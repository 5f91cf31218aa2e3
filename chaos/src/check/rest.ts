// (3) Every REST write acknowledged with 200 is there afterwards.
import type { MetadataStore } from "@atlas-ha/atlas-server";
import { restQualifiedName, REST_SUFFIX, type AckedWrite } from "../writer.js";
import { countByQualifiedName, EXAMPLES } from "./common.js";

export interface RestCheck {
  ok: boolean;
  acknowledged: number;
  /** Acknowledged writes whose entity is not there (or not ACTIVE). */
  missing: { qualifiedName: string; status: string }[];
  missingCount: number;
  /** Acknowledged with one guid, stored under another. */
  wrongGuid: { qualifiedName: string; acked: string; stored: string }[];
  wrongGuidCount: number;
  /** Attempted but never acknowledged, and there anyway (allowed: the answer was lost). */
  unacknowledgedPresent: number;
}

/** (3), over every writer's acknowledgements. */
export async function checkRestWrites(
  store: MetadataStore,
  writers: readonly { id: number; acks: readonly AckedWrite[]; attempted: number }[],
): Promise<RestCheck> {
  const counts = await countByQualifiedName(store, REST_SUFFIX);
  const missing: RestCheck["missing"] = [];
  const wrongGuid: RestCheck["wrongGuid"] = [];
  let missingCount = 0;
  let wrongGuidCount = 0;
  let acknowledged = 0;
  let unacknowledgedPresent = 0;
  for (const writer of writers) {
    acknowledged += writer.acks.length;
    for (const ack of writer.acks) {
      const found = await store.getByUniqueAttribute("hive_db", ack.qualifiedName, {
        minExtInfo: true,
      });
      if (!found || found.entity.status !== "ACTIVE") {
        missingCount++;
        if (missing.length < EXAMPLES)
          missing.push({
            qualifiedName: ack.qualifiedName,
            status: found?.entity.status ?? "MISSING",
          });
        continue;
      }
      if (ack.guid !== null && found.entity.guid !== ack.guid) {
        wrongGuidCount++;
        if (wrongGuid.length < EXAMPLES)
          wrongGuid.push({
            qualifiedName: ack.qualifiedName,
            acked: ack.guid,
            stored: found.entity.guid,
          });
      }
    }
    const acked = new Set(writer.acks.map((a) => a.n));
    for (let n = 0; n < writer.attempted; n++)
      if (!acked.has(n) && counts.has(restQualifiedName(writer.id, n))) unacknowledgedPresent++;
  }
  return {
    ok: missingCount === 0 && wrongGuidCount === 0,
    acknowledged,
    missing,
    missingCount,
    wrongGuid,
    wrongGuidCount,
    unacknowledgedPresent,
  };
}
