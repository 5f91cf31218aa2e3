import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { AtlasState } from "@atlas-ha/testkit";
import { LocalCluster } from "../cluster.js";
import { ClusterOptionsError } from "../errors.js";
import { readState } from "../state.js";
import { attachCluster, EXIT_FAILED, EXIT_OK, parse, type Context } from "./context.js";
import { formatMs, processRows } from "./output.js";
import { runStatusClient } from "./status-client.js";

/** `status [--json]`: the processes, then atlas-status's table (its exit code). */
export async function status(args: string[], context: Context): Promise<number> {
  const { values } = parse(args, { json: { type: "boolean" } }, false);
  const cluster = attachCluster(context);
  const rows = processRows(cluster);
  const urls = cluster.instances.map((i) => i.url);
  if (values.json) {
    const result =
      urls.length > 0
        ? await runStatusClient(urls, ["--json"], context, false)
        : { code: EXIT_OK, stdout: "null" };
    let atlasStatus: unknown = result.stdout;
    try {
      atlasStatus = JSON.parse(result.stdout);
    } catch {
      // keep the text
    }
    context.out.write(
      `${JSON.stringify({ cluster: cluster.describe(), processes: rows, atlasStatus }, null, 2)}\n`,
    );
    return result.code;
  }
  const width = Math.max(...rows.map((r) => r.name.length), 4) + 2;
  context.out.write(`${"NAME".padEnd(width)}${"PROCESS".padEnd(10)}${"PID".padEnd(9)}ADDRESS\n`);
  for (const r of rows) {
    context.out.write(
      `${r.name.padEnd(width)}${r.process.padEnd(10)}${String(r.pid ?? "-").padEnd(9)}${r.address}\n`,
    );
  }
  context.out.write("\n");
  if (urls.length === 0) return EXIT_OK;
  return (await runStatusClient(urls, [], context, true)).code;
}

/** `kill|stop|pause|resume|start NAME…`: every name is checked before any signal. */
export async function signalMembers(
  command: "kill" | "stop" | "pause" | "resume" | "start",
  args: string[],
  context: Context,
): Promise<number> {
  const { positionals } = parse(args, {}, true);
  if (positionals.length === 0) {
    throw new ClusterOptionsError(
      "NAME",
      `${command} needs the name of a process (atlas-N, zk-N, kafka, postgres)`,
    );
  }
  const cluster = attachCluster(context);
  for (const name of positionals) cluster.member(name); // every name is checked before any signal
  let code = EXIT_OK;
  for (const name of positionals) {
    const member = cluster.member(name);
    const pid = member.process.pid;
    if (command !== "start" && pid === undefined) {
      context.err.write(
        `cluster: ${name} is not running (start it with ${context.program} start ${name})\n`,
      );
      code = EXIT_FAILED;
      continue;
    }
    const t0 = Date.now();
    switch (command) {
      case "kill":
        await cluster.kill(name);
        context.out.write(`${name}: killed (SIGKILL, pid ${pid})\n`);
        break;
      case "stop":
        await cluster.stop(name);
        context.out.write(
          `${name}: stopped (SIGTERM, pid ${pid}, exited after ${formatMs(Date.now() - t0)})\n`,
        );
        break;
      case "pause":
        await cluster.pause(name);
        context.out.write(
          `${name}: paused (SIGSTOP, pid ${pid}); ${context.program} resume ${name} continues it\n`,
        );
        break;
      case "resume":
        await cluster.resume(name);
        context.out.write(`${name}: resumed (SIGCONT, pid ${pid})\n`);
        break;
      case "start": {
        if (member.process.running) {
          context.err.write(`cluster: ${name} is already running (pid ${member.process.pid})\n`);
          code = EXIT_FAILED;
          continue;
        }
        try {
          await cluster.start(name, member.kind === "zookeeper" ? 30_000 : 60_000);
        } catch (error) {
          const e = error as Error;
          if (e.name !== "TimeoutError") throw error;
          context.err.write(
            `cluster: ${name} runs (pid ${member.process.pid}) but does not serve yet: ${e.message}` +
              `${member.kind === "zookeeper" ? " (a ZooKeeper node serves once a quorum of the ensemble runs)" : ""}\n`,
          );
          code = EXIT_FAILED;
          continue;
        }
        let detail = "";
        if (member.kind === "atlas") {
          const state: AtlasState | undefined = await cluster.instance(name).status();
          detail = `, reports ${state ?? "nothing yet"}`;
        }
        context.out.write(
          `${name}: started (pid ${member.process.pid}, serving after ${formatMs(Date.now() - t0)}${detail})\n`,
        );
        break;
      }
    }
  }
  return code;
}

/** `produce [--topic T] FILE…`: one Kafka value per file, or per line of a .jsonl file. */
export async function produce(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parse(args, { topic: { type: "string" } }, true);
  if (positionals.length === 0) {
    throw new ClusterOptionsError(
      "FILE",
      "produce needs at least one file (a message per file, or per line of a .jsonl file)",
    );
  }
  // Read everything first: a missing file sends nothing rather than half the batch.
  const messages: { source: string; value: string }[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ClusterOptionsError("FILE", `cannot read ${file}: ${(error as Error).message}`);
    }
    if (file.endsWith(".jsonl")) {
      text.split("\n").forEach((line, i) => {
        if (line.trim()) messages.push({ source: `${file}:${i + 1}`, value: line.trim() });
      });
    } else if (text.trim()) {
      messages.push({ source: file, value: text.trim() });
    } else {
      throw new ClusterOptionsError("FILE", `${file} is empty`);
    }
  }
  for (const m of messages) {
    try {
      JSON.parse(m.value);
    } catch {
      // Sent anyway: a malformed message is a legitimate test of the failed-messages log.
      context.err.write(`cluster: note: ${m.source} is not valid JSON; sending it as it is\n`);
    }
  }
  const cluster = attachCluster(context);
  const topic = (values.topic as string | undefined) ?? cluster.hookTopic;
  const results = await cluster.produce(
    messages.map((m) => m.value),
    { topic },
  );
  const where = results.map((r) => `${r.partition}@${r.offset}`).join(", ");
  context.out.write(
    `sent ${messages.length} message${messages.length === 1 ? "" : "s"} to ${topic} (partition@first offset: ${where})\n`,
  );
  return EXIT_OK;
}

/** `down`: stops everything; nothing is left running or listening (logs stay). */
export async function down(args: string[], context: Context): Promise<number> {
  parse(args, {}, false);
  if (!readState(context.dataDir)) {
    context.out.write("no local cluster is up\n");
    return EXIT_OK;
  }
  const cluster = LocalCluster.attach({ stateDir: context.dataDir });
  const names = cluster.members.filter((m) => m.process.running).map((m) => m.name);
  const t0 = Date.now();
  await cluster.down();
  context.out.write(
    `stopped ${names.length > 0 ? names.join(", ") : "nothing (no process was running)"} in ${formatMs(Date.now() - t0)}; ` +
      `nothing is left running or listening. Logs: ${relative(process.cwd(), context.dataDir) || context.dataDir}/\n`,
  );
  return EXIT_OK;
}
