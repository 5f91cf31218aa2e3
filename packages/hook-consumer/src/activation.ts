import type { HookConsumer } from "./types.js";

/**
 * The consumer as an HA activation handler (structurally what ha-state runs): start on
 * ACTIVE with the new epoch, stop before PASSIVE is reported. Declared here, not imported,
 * so this package needs no other @atlas-ha package.
 */
export interface HookConsumerActivationHandler {
  readonly name: "hook-consumer";
  instanceIsActive(context: { epoch: number }): Promise<void>;
  instanceIsPassive(): Promise<void>;
}

export function hookConsumerActivationHandler(
  consumer: Pick<HookConsumer, "start" | "stop">,
): HookConsumerActivationHandler {
  return {
    name: "hook-consumer",
    instanceIsActive: ({ epoch }) => consumer.start({ epoch }),
    instanceIsPassive: () => consumer.stop(),
  };
}
