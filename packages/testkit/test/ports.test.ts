import { describe, expect, it } from "vitest";
import { ephemeralPortRange, freePort, freePorts, isPortFree } from "../src/index.js";

describe("free ports", () => {
  it("are distinct, free, and outside the kernel's range for outgoing connections", async () => {
    // A port in that range can be taken by any outgoing connection between the pick and the
    // bind (a Kafka broker's own connection to its controller did, once in CI).
    const [low, high] = ephemeralPortRange();
    const ports = [...(await freePorts(40)), await freePort()];
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port < low || port > high, `port ${port} in ${low}–${high}`).toBe(true);
      expect(port).toBeGreaterThanOrEqual(1024);
    }
    expect(await Promise.all(ports.map(isPortFree))).toEqual(ports.map(() => true));
  });

  it("reads the range the kernel uses", () => {
    const [low, high] = ephemeralPortRange();
    expect(Number.isInteger(low) && Number.isInteger(high) && low <= high).toBe(true);
  });
});
