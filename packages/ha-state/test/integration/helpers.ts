import { waitFor } from "@atlas-ha/testkit";
import {
  createHaState,
  type ActiveStateHandler,
  type HaState,
  type HaStateOptions,
  type ServiceState,
} from "../../src/index.js";

export interface Recorded {
  log: string[];
  handler(
    name: string,
    order: number,
    behaviour?: Partial<
      Pick<ActiveStateHandler, "instanceIsActive" | "instanceIsPassive" | "timeoutMs">
    >,
  ): ActiveStateHandler;
}

/** Handlers that record "<server>:<name>:activate|passivate" in order. */
export function recorder(server: string, log: string[]): Recorded {
  return {
    log,
    handler: (name, order, behaviour = {}) => ({
      name,
      order,
      ...(behaviour.timeoutMs !== undefined ? { timeoutMs: behaviour.timeoutMs } : {}),
      instanceIsActive: async (ctx) => {
        log.push(`${server}:${name}:activate`);
        await behaviour.instanceIsActive?.(ctx);
      },
      instanceIsPassive: async (ctx) => {
        log.push(`${server}:${name}:passivate`);
        await behaviour.instanceIsPassive?.(ctx);
      },
    }),
  };
}

export class Group {
  readonly instances: HaState[] = [];
  readonly logs: string[] = [];
  #t0 = Date.now();

  add(options: HaStateOptions): HaState {
    const line = (level: string) => (obj: object) =>
      this.logs.push(
        `${Date.now() - this.#t0} ${options.serverId} ${level} ${JSON.stringify(obj)}`,
      );
    const ha = createHaState({
      logger: {
        debug: line("debug"),
        info: line("info"),
        warn: line("warn"),
        error: line("error"),
      },
      ...options,
    });
    this.instances.push(ha);
    return ha;
  }

  inState(state: ServiceState): HaState[] {
    return this.instances.filter((i) => i.snapshot().state === state);
  }

  async oneActive(timeoutMs: number, among: HaState[] = this.instances): Promise<HaState> {
    return waitFor(
      () => {
        const active = among.filter((i) => i.snapshot().state === "ACTIVE");
        return active.length === 1 ? active[0] : undefined;
      },
      { timeoutMs, intervalMs: 10, what: "exactly one ACTIVE instance" },
    );
  }

  dumpLogs(): void {
    process.stderr.write(`--- ha-state logs ---\n${this.logs.join("\n")}\n`);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.stop()));
  }
}
