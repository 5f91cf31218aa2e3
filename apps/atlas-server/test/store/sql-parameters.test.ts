/**
 * The store's SQL names its parameters (`@name`); each backend binds them by position
 * (sql.ts positionalParameters): SQLite with one anonymous `?` per use, PostgreSQL with one
 * `$n` per name. A name used twice, and one the caller did not pass, on the SQLite runner.
 */
import { describe, expect, it } from "vitest";
import { positionalParameters } from "../../src/store/sql.js";
import { useSqliteBackends } from "./helpers.js";

describe("named parameters bound by position", () => {
  it("gives each use its own ? (SQLite), or each name one $n (PostgreSQL)", () => {
    const sql = "SELECT @a, @b_2 WHERE x = @a AND y = 'literal'";
    expect(positionalParameters(sql, () => "?")).toEqual({
      text: "SELECT ?, ? WHERE x = ? AND y = 'literal'",
      names: ["a", "b_2", "a"],
    });
    expect(positionalParameters(sql, (i) => `$${i + 1}`, true)).toEqual({
      text: "SELECT $1, $2 WHERE x = $1 AND y = 'literal'",
      names: ["a", "b_2"],
    });
  });

  describe("on SQLite", () => {
    const open = useSqliteBackends("atlas-params-");

    it("binds a name used twice to both places, and null as NULL", async () => {
      const rows = await open().read((db) =>
        db.all("SELECT @x AS a, @y AS b, @x + 1 AS c, @z IS NULL AS d", { x: 41, y: "t", z: null }),
      );
      expect(rows).toEqual([{ a: 41, b: "t", c: 42, d: 1 }]);
    });

    it("refuses a parameter the caller did not pass, naming it, on every kind of statement", async () => {
      const db = open();
      await db.write((w) => w.run("CREATE TABLE t (v INTEGER)"));
      for (const call of [
        () => db.read((r) => r.all("SELECT @missing AS a", {})),
        () => db.write((w) => w.run("INSERT INTO t (v) VALUES (@missing)", { other: 1 })),
        () => db.write((w) => w.send("INSERT INTO t (v) VALUES (@missing)", {})),
      ]) {
        await expect(call()).rejects.toMatchObject({
          name: "RangeError",
          message: expect.stringContaining('"missing"'),
        });
      }
      expect(await db.read((r) => r.all("SELECT count(*) AS n FROM t"))).toEqual([{ n: 0 }]);
    });
  });
});
