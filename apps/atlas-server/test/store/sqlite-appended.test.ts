/**
 * SQLite: the rows a write appends to the store's logs (the write log, hook positions, audit
 * events) are gathered and inserted together, as multi-row INSERTs: each 64 of one statement at
 * once, the rest before any statement that names their table and before the commit; a rollback
 * drops them.
 */
import { describe, expect, it } from "vitest";
import { appendKind } from "../../src/store/sqlite-appended.js";
import type { SqliteBackend } from "../../src/store/sqlite.js";
import type { SqlRunner } from "../../src/store/sql.js";
import { useSqliteBackends } from "./helpers.js";

const INSERT = "INSERT INTO atlas_writes (seq, note) VALUES (@seq, @note)";
/** Rows this connection's finished INSERTs changed: gathered rows are not counted yet. */
const changesSoFar = async (db: SqlRunner) =>
  Number((await db.all("SELECT total_changes() AS n"))[0]!.n);

describe("appendKind", () => {
  // [statement, gathered, namesAppendOnly]
  const cases: [string, boolean, boolean][] = [
    [INSERT, true, true],
    [
      "INSERT INTO atlas_hook_offsets (topic, kafka_partition) VALUES (@topic, lower(@p))",
      true,
      true,
    ],
    ["SELECT seq FROM atlas_writes WHERE seq > @after", false, true],
    ["DELETE FROM atlas_entity_audit WHERE write_seq = @seq", false, true],
    // Something after the row of values: not a plain one-row INSERT, so never gathered.
    [`${INSERT} ON CONFLICT DO NOTHING`, false, true],
    ["INSERT INTO atlas_entities (guid) VALUES (@guid)", false, false],
    ["SELECT 1 FROM atlas_writes_archive", false, false],
  ];
  it.each(cases)("%s: gathered %s, names an append-only table %s", (sql, gathered, names) => {
    expect(appendKind(sql)).toEqual({ gathered, namesAppendOnly: names });
  });
});

describe("SQLite appended rows", () => {
  const fresh = useSqliteBackends("atlas-appended-");
  const open = async () => {
    const backend = fresh();
    await backend.write(async (db) => {
      await db.run("CREATE TABLE atlas_writes (seq INTEGER PRIMARY KEY, note TEXT NOT NULL)");
      await db.run("CREATE TABLE other (id INTEGER PRIMARY KEY)");
    });
    return backend;
  };
  const notes = (b: SqliteBackend) =>
    b.read(async (db) =>
      (await db.all("SELECT seq, note FROM atlas_writes ORDER BY seq")).map(
        (r) => `${Number(r.seq)}:${String(r.note)}`,
      ),
    );

  it("gathers the rows, inserts each full 64 at once and the rest before a statement that names the table, all in order", async () => {
    const b = await open();
    const seen = await b.write(async (db) => {
      const start = await changesSoFar(db);
      const inserted = async () => (await changesSoFar(db)) - start;
      const send = async (from: number, to: number) => {
        for (let seq = from; seq <= to; seq++) await db.send(INSERT, { seq, note: `n${seq}` });
        return inserted();
      };
      const after63 = await send(1, 63);
      const after64 = await send(64, 64);
      const after203 = await send(65, 203);
      // A statement that names the table reads what was appended before it.
      const counted = Number((await db.all("SELECT count(*) AS n FROM atlas_writes"))[0]!.n);
      return { after63, after64, after203, counted, atLast: await inserted() };
    });
    expect(seen).toEqual({ after63: 0, after64: 64, after203: 192, counted: 203, atLast: 203 });
    const rows = await notes(b);
    expect(rows).toHaveLength(203);
    expect(rows.slice(0, 2)).toEqual(["1:n1", "2:n2"]);
    expect(rows.at(-1)).toBe("203:n203");
  });

  it("inserts the rows still gathered at the commit, and leaves other tables' INSERTs alone", async () => {
    const b = await open();
    const otherChanges = await b.write(async (db) => {
      await db.send(INSERT, { seq: 7, note: "last" });
      const before = await changesSoFar(db);
      await db.send("INSERT INTO other (id) VALUES (@id)", { id: 1 });
      return (await changesSoFar(db)) - before;
    });
    expect(otherChanges).toBe(1);
    expect(await notes(b)).toEqual(["7:last"]);
  });

  it("drops the gathered rows of a transaction that rolls back", async () => {
    const b = await open();
    await expect(
      b.write(async (db) => {
        await db.send(INSERT, { seq: 1, note: "rolled back" });
        throw new Error("the write fails");
      }),
    ).rejects.toThrow("the write fails");
    await b.write(async (db) => db.send(INSERT, { seq: 2, note: "kept" }));
    expect(await notes(b)).toEqual(["2:kept"]);
  });

  it("fails the whole transaction when a gathered row is refused, and commits none of it", async () => {
    const b = await open();
    await b.write(async (db) => db.send(INSERT, { seq: 1, note: "first" }));
    await expect(
      b.write(async (db) => {
        await db.send(INSERT, { seq: 2, note: "second" });
        await db.send(INSERT, { seq: 1, note: "duplicate" });
        await db.send("INSERT INTO other (id) VALUES (@id)", { id: 1 });
      }),
    ).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
    expect(await notes(b)).toEqual(["1:first"]);
    const others = await b.read(async (db) => db.all("SELECT id FROM other"));
    expect(others).toEqual([]);
  });
});
