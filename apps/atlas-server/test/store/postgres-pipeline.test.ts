/**
 * PostgreSQL (real server from the testkit): writes whose answers nobody reads are pipelined
 * (`send`); an error of one of them still fails its transaction as a whole, with its own
 * error, at the next statement or at the commit.
 */
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { silentLogger } from "@atlas-ha/shared";
import { afterEach, describe, expect, it } from "vitest";
import { PostgresBackend } from "../../src/store/postgres.js";

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
});
