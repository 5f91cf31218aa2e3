/**
 * The write-path warm-up of a passive (src/warm-up.ts): it takes REST's createOrUpdate and a
 * hook message through the store on a private in-memory database, and can run again.
 */
import { describe, expect, it } from "vitest";
import { warmWritePath } from "../src/warm-up.js";

describe("warmWritePath", () => {
  it("writes a table and its database through REST's path and applies a hook message, on a store of its own each time", async () => {
    expect(await warmWritePath()).toEqual({ created: 2, hookApplied: true });
    expect(await warmWritePath()).toEqual({ created: 2, hookApplied: true });
  });
});
