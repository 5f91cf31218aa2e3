/**
 * SQLite: the write connection's page cache is PAGE_CACHE_KIB, not the 16 MB better-sqlite3
 * builds SQLite with, which a store of a few hundred thousand entities filled: ~15 MB of an
 * active's RSS under hook load (bench/ figure 7). Reads and writes past it still see every row.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { PAGE_CACHE_KIB } from "../../src/store/sqlite.js";
import { useSqliteBackends } from "./helpers.js";

const backends = useSqliteBackends("atlas-page-cache-");

describe("the SQLite write connection's page cache", () => {
  it("is PAGE_CACHE_KIB, smaller than better-sqlite3's own default", async () => {
    const builtIn = new Database(":memory:");
    const ownDefault = Number(builtIn.pragma("cache_size", { simple: true }));
    builtIn.close();
    expect(PAGE_CACHE_KIB).toBeLessThan(-ownDefault);

    const backend = backends();
    const size = await backend.read(async (db) => (await db.all("PRAGMA cache_size"))[0]);
    expect(size).toEqual({ cache_size: -PAGE_CACHE_KIB });
  });

  it("holds less than the data, and every row is still written and read back", async () => {
    const backend = backends();
    const rows = 3000;
    const pad = "x".repeat(4000); // ~12 MB of rows: three times the cache
    await backend.write(async (db) => {
      await db.run("CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT NOT NULL)");
      for (let id = 0; id < rows; id++)
        await db.run("INSERT INTO big VALUES (@id, @pad)", { id, pad });
    });
    const [counted] = await backend.read((db) =>
      db.all("SELECT count(*) AS n, sum(length(pad)) AS bytes FROM big"),
    );
    expect(counted).toEqual({ n: rows, bytes: rows * pad.length });
    const [file] = await backend.read((db) =>
      db.all("SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()"),
    );
    expect(Number(file!.bytes)).toBeGreaterThan(PAGE_CACHE_KIB * 1024 * 2);
  });
});
