import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import type { StoreConfig } from "../../src/store/types.js";

const dir = mkdtempSync(join(tmpdir(), "atlas-store-factory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createStore", () => {
  it("refuses an unknown backend, a postgres store without a URL and an unopenable SQLite path, naming the key", () => {
    expect(() => createStore({ backend: "mysql" } as unknown as StoreConfig)).toThrow(
      expect.objectContaining({
        name: "StoreConfigError",
        code: "STORE_CONFIG_INVALID",
        message: expect.stringMatching(/atlas\.store\.backend/),
      }),
    );
    expect(() => createStore({ backend: "postgres", url: "localhost:5432" })).toThrow(
      expect.objectContaining({
        code: "STORE_CONFIG_INVALID",
        message: expect.stringMatching(/atlas\.store\.postgres\.url/),
      }),
    );
    const file = join(dir, "a-file");
    writeFileSync(file, "not a folder");
    expect(() => createStore({ backend: "sqlite", path: join(file, "atlas.db") })).toThrow(
      expect.objectContaining({
        code: "STORE_CONFIG_INVALID",
        message: expect.stringMatching(/atlas\.store\.sqlite\.path/),
      }),
    );
  });

  it("creates the SQLite file's folder when it is missing", async () => {
    const store = createStore({ backend: "sqlite", path: join(dir, "new", "nested", "atlas.db") });
    try {
      await store.migrate();
      expect(await store.ping()).toBe(true);
    } finally {
      await store.close();
    }
    expect(await store.ping()).toBe(false);
  });
});
