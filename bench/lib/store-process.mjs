// A store worker (lib/*-worker.mjs) run in a process of its own on a fresh database of the
// cluster's backend — a new PostgreSQL database or a SQLite file in a temp folder, removed
// after — answering with its first IPC message.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forkWorker } from "./processes.mjs";

let runSeq = 0;

/** Runs `worker` with `args(where)`, where `where` is the fresh database's URL or file path. */
export async function onFreshStore(cluster, name, worker, args) {
  let where;
  let dir;
  if (cluster.backend === "postgres") {
    where = await cluster.postgres.createDatabase(`bench_${name}_${process.pid}_${runSeq++}`);
  } else {
    dir = mkdtempSync(join(tmpdir(), `atlas-ha-bench-${name}-`));
    where = join(dir, "atlas.db");
  }
  try {
    const w = await forkWorker(worker, args(where));
    await w.stop();
    return w.first;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
