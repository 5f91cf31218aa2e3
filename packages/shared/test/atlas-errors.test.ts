import { describe, expect, it } from "vitest";
import { ATLAS_ERRORS } from "../src/index.js";

describe("the Atlas error-code table", () => {
  const entries = Object.entries(ATLAS_ERRORS);

  it("gives each code one meaning", () => {
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("writes each code as ATLAS-<its HTTP status>-00-<id>", () => {
    for (const [name, e] of entries) {
      expect(e.code, name).toMatch(new RegExp(`^ATLAS-${e.status}-00-[0-9A-F]{3}$`));
    }
  });

  it("keeps the 503s of an HA group where clients and load balancers learned them", () => {
    expect(ATLAS_ERRORS.TRANSITIONAL.code).toBe("ATLAS-503-00-001");
    expect(ATLAS_ERRORS.ACTIVE_UNKNOWN.code).toBe("ATLAS-503-00-002");
    expect(ATLAS_ERRORS.NO_LONGER_ACTIVE.code).toBe("ATLAS-503-00-006");
  });
});
