/**
 * Epochs are ZooKeeper zxids (the czxid of the leader's node), so they only grow while the
 * ensemble keeps its data. An ensemble that was replaced (data lost, migrated to new servers)
 * counts from low again, and the store — which refuses every write of an epoch below the
 * highest it has seen — would then refuse every new active for good, with nothing to say why.
 * Rebasing silently would defeat fencing, so the server detects it and stops with this error;
 * the operator runs `atlas-server epoch rebase` (README, "A replaced ZooKeeper ensemble")
 * once every instance is down.
 */
import type { Election } from "@atlas-ha/election-core";
import type { MetadataStore } from "./store/index.js";

export class EpochRegressionError extends Error {
  override readonly name = "EpochRegressionError" as const;
  readonly code = "EPOCH_REGRESSION" as const;
  /** The highest epoch the store has seen. */
  readonly storeEpoch: number;
  /** The ensemble's current zxid: no epoch it hands out can be above it yet. */
  readonly zxid: number;
  constructor(storeEpoch: number, zxid: number) {
    super(
      `the store has seen epoch ${storeEpoch} (0x${storeEpoch.toString(16)}), above anything this ZooKeeper ensemble ` +
        `can have produced (its zxid is 0x${zxid.toString(16)}): the ensemble was replaced or lost its data. ` +
        `No instance can fence the store. Stop every instance, then run ` +
        `"atlas-server epoch rebase --config <dir>" once, and start them again.`,
    );
    this.storeEpoch = storeEpoch;
    this.zxid = zxid;
  }
}

/** Throws EpochRegressionError when the store's highest epoch is above the ensemble's current zxid. */
export async function checkEpochRegression(
  store: MetadataStore,
  election: Election,
): Promise<void> {
  // Read the store first: an epoch handed out after this read is at most the zxid read after it.
  const storeEpoch = await store.highestEpoch();
  const zxid = await election.currentZxid();
  if (storeEpoch > zxid) throw new EpochRegressionError(storeEpoch, zxid);
}
