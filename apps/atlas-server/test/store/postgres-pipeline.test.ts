/**
 * PostgreSQL (real server from the testkit): writes whose answers nobody reads are pipelined
 * (`send`); an error of one of them still fails its transaction as a whole, with its own
 * error, at the next statement or at the commit. Sent INSERTs of one text are gathered into
 * multi-row INSERTs, written before the next statement of another kind.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { silentLogger } from "@atlas-ha/shared";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EARLY_WRITE_ROWS, PostgresBackend } from "../../src/store/postgres.js";

describe("PostgreSQL pipelined writes", () => {
  const server = usePostgres();
  let backend: PostgresBackend | undefined;
  afterEach(async () => {
    await backend?.close();
  });

  const fresh = async (name: string) => {
    backend = new PostgresBackend({
      url: await server().createDatabase(name),
      logger: silentLogger,
    });
    await backend.write(async (db) => {
      await db.run("CREATE TABLE t (id INT PRIMARY KEY)");
      return 0;
    });
    return backend;
  };
  const ids = (b: PostgresBackend) =>
    b.read(async (db) => (await db.all("SELECT id FROM t ORDER BY id")).map((r) => Number(r.id)));

  it("sent writes commit with their transaction", async () => {
    const b = await fresh("pipeline_ok");
    await b.write(async (db) => {
      for (let i = 1; i <= 50; i++) await db.send("INSERT INTO t (id) VALUES (@id)", { id: i });
      return 0;
    });
    expect(await ids(b)).toHaveLength(50);
  });

  it("a failing sent write fails the transaction with its own error at the next statement, and nothing commits", async () => {
    const b = await fresh("pipeline_next");
    await b.write(async (db) => void (await db.send("INSERT INTO t (id) VALUES (1)")));
    let reached = false;
    const attempt = b.write(async (db) => {
      await db.send("INSERT INTO t (id) VALUES (2)");
      await db.send("INSERT INTO t (id) VALUES (1)"); // duplicate key
      await db.send("INSERT INTO t (id) VALUES (3)");
      await db.all("SELECT 1 AS one");
      reached = true;
    });
    // 23505 unique_violation, not the 25P02 "transaction aborted" of the statements after it.
    await expect(attempt).rejects.toMatchObject({ code: "23505" });
    expect(reached).toBe(false);
    expect(await ids(b)).toEqual([1]);
  });

  it("a failing sent write that is the transaction's last statement fails the commit", async () => {
    const b = await fresh("pipeline_last");
    await b.write(async (db) => void (await db.send("INSERT INTO t (id) VALUES (1)")));
    await expect(
      b.write(async (db) => {
        await db.send("INSERT INTO t (id) VALUES (2)");
        await db.send("INSERT INTO t (id) VALUES (1)");
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await ids(b)).toEqual([1]);
  });

  it("gathered INSERTs are written before the next statement of another kind, which sees them", async () => {
    const b = await fresh("pipeline_order");
    const seen = await b.write(async (db) => {
      for (let i = 1; i <= 5; i++) await db.send("INSERT INTO t (id) VALUES (@id)", { id: i });
      // A statement of another kind (sent, not awaited) runs after them: it finds all five.
      await db.send("UPDATE t SET id = id + 10 WHERE id <= 5");
      await db.send("INSERT INTO t (id) VALUES (@id)", { id: 1 });
      return (await db.all("SELECT id FROM t ORDER BY id")).map((r) => Number(r.id));
    });
    expect(seen).toEqual([1, 11, 12, 13, 14, 15]);
    expect(await ids(b)).toEqual([1, 11, 12, 13, 14, 15]);
  });

  it("gathered rows leave at the next turn of the event loop, while the transaction goes on", async () => {
    const b = await fresh("pipeline_early");
    // What the server is running or ran last for our other sessions: the gathered INSERT
    // shows there once it was written, long before this transaction's commit.
    const seenByServer = () =>
      b.read(async (db) =>
        (
          await db.all(
            "SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()",
          )
        ).map((r) => String(r.query)),
      );
    await b.write(async (db) => {
      for (let i = 1; i <= 3; i++) await db.send("INSERT INTO t (id) VALUES (@id)", { id: i });
      await new Promise<void>((resolve) => setImmediate(resolve));
      await vi.waitFor(
        async () =>
          expect(
            (await seenByServer()).some((q) => q.startsWith("INSERT INTO t (id) VALUES ($1)")),
          ).toBe(true),
        { timeout: 5000, interval: 20 },
      );
      // The rows are the transaction's own: nobody else sees them before the commit.
      expect(await ids(b)).toEqual([]);
    });
    expect(await ids(b)).toEqual([1, 2, 3]);
  });

  it("gathered rows leave once EARLY_WRITE_ROWS of them wait, in the same turn of the event loop", async () => {
    const b = await fresh("pipeline_early_rows");
    // The server's view of our session, asked with psql run synchronously: the event loop
    // stays blocked meanwhile, so what was left for its next turn cannot have been written.
    const serverHasSeenInsert = (): boolean => {
      const deadline = performance.now() + 5000;
      do {
        const queries = server().psqlSync(
          "SELECT query FROM pg_stat_activity WHERE datname = 'pipeline_early_rows' AND pid <> pg_backend_pid()",
          { timeoutMs: 3000 },
        );
        if (queries.includes("INSERT INTO t (id) VALUES ($1), ($2)")) return true;
      } while (performance.now() < deadline);
      return false;
    };
    let seen: boolean | undefined;
    await b.write(async (db) => {
      for (let i = 1; i <= EARLY_WRITE_ROWS; i++)
        await db.send("INSERT INTO t (id) VALUES (@id)", { id: i });
      seen = serverHasSeenInsert();
      return 0;
    });
    expect(seen).toBe(true);
    expect(await ids(b)).toHaveLength(EARLY_WRITE_ROWS);
  });

  it("gathered rows keep each parameter in its place: repeated, reordered, inside a call, across transactions", async () => {
    const b = await fresh("pipeline_params");
    await b.write(async (db) => {
      await db.run("CREATE TABLE v (a INT PRIMARY KEY, b INT, c TEXT, d INT)");
      return 0;
    });
    // The statement's text (and its multi-row form) is prepared once and reused.
    const insert = "INSERT INTO v (b, a, c, d) VALUES (@b, @a, lower(@c), @a + 1000)";
    for (const base of [0, 100]) {
      await b.write(async (db) => {
        for (let i = 1; i <= 12; i++)
          await db.send(insert, { a: base + i, b: base + i * 2, c: `R${base + i}` });
      });
    }
    const rows = await b.read(async (db) =>
      (await db.all("SELECT a, b, c, d FROM v ORDER BY a")).map((r) => [
        Number(r.a),
        Number(r.b),
        r.c,
        Number(r.d),
      ]),
    );
    const expected = [0, 100].flatMap((base) =>
      Array.from({ length: 12 }, (_, k) => {
        const i = k + 1;
        return [base + i, base + i * 2, `r${base + i}`, base + i + 1000];
      }),
    );
    expect(rows).toEqual(expected);
  });

  it("more rows than one statement's parameters take go in several statements, all or nothing", async () => {
    const b = await fresh("pipeline_chunks");
    await b.write(async (db) => {
      await db.run("CREATE TABLE u (a INT PRIMARY KEY, b INT, c TEXT)");
      return 0;
    });
    const rows = 30_000; // 90,000 parameters: more than PostgreSQL's 65,535 in one statement
    const count = () =>
      b.read(async (db) => Number((await db.all("SELECT count(*) AS n FROM u"))[0]!.n));
    await b.write(async (db) => {
      for (let i = 0; i < rows; i++)
        await db.send("INSERT INTO u (a, b, c) VALUES (@a, @b, @c)", {
          a: i,
          b: i * 2,
          c: `r${i}`,
        });
    });
    expect(await count()).toBe(rows);
    expect(
      await b.read(async (db) => (await db.all("SELECT b, c FROM u WHERE a = 29999"))[0]),
    ).toEqual({ b: 59_998, c: "r29999" });
    // A duplicate key in the last statement of the gathered rows: none of them commits.
    await expect(
      b.write(async (db) => {
        for (let i = 0; i < rows; i++)
          await db.send("INSERT INTO u (a, b, c) VALUES (@a, @b, @c)", {
            a: rows + i,
            b: 0,
            c: "again",
          });
        await db.send("INSERT INTO u (a, b, c) VALUES (@a, @b, @c)", { a: 0, b: 0, c: "dup" });
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await count()).toBe(rows);
  });
});
