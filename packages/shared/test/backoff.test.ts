import { describe, expect, it } from "vitest";
import { backoffDelay } from "../src/index.js";

describe("backoffDelay", () => {
  it("doubles from the base, attempt 1 first, and stops at the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { baseMs: 100, maxMs: 1000 }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("counts attempt 0 and below as the first", () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 1000 })).toBe(100);
    expect(backoffDelay(-3, { baseMs: 100, maxMs: 1000 })).toBe(100);
  });

  it("stays at the cap however many attempts failed", () => {
    expect(backoffDelay(5000, { baseMs: 100, maxMs: 30_000 })).toBe(30_000);
  });

  it("with equal jitter, keeps half the delay fixed and draws the other half", () => {
    const at = (random: number, attempt = 3) =>
      backoffDelay(attempt, { baseMs: 100, maxMs: 1000, jitter: "equal", random: () => random });
    expect(at(0)).toBe(200);
    expect(at(0.5)).toBe(300);
    expect(at(0.999)).toBe(400);
    expect(at(0.5, 10)).toBe(750);
  });

  it("with equal jitter, stays within [half, whole] of the delay with Math.random", () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2, { baseMs: 1000, maxMs: 30_000, jitter: "equal" });
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });
});
