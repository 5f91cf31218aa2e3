import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createLogger, flushPendingLines, linesPerTurn } from "../src/logger.js";
import { startStandalone } from "./support/standalone.js";
import { REDACTED, redactSecrets } from "../src/log-redaction.js";

/** A logger writing into an array, one parsed JSON object per line. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("id1", "info", () => ({ state: "ACTIVE", epoch: 7 }), {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe("log lines never carry a secret", () => {
  it("censors password, auth and authorization at the top and password and authorization one level down", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        event: "e",
        password: "p0",
        auth: { user: "u", secret: "s" },
        authorization: "Basic dTpw",
        headers: { authorization: "Basic dTpw", host: "h" },
        config: { password: "p1", user: "admin" },
      },
      "m",
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      serverId: "id1",
      state: "ACTIVE",
      epoch: 7,
      event: "e",
      msg: "m",
      password: REDACTED,
      auth: REDACTED,
      authorization: REDACTED,
      headers: { authorization: REDACTED, host: "h" },
      config: { password: REDACTED, user: "admin" },
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ["p0", "p1", "dTpw", '"s"']) expect(text).not.toContain(secret);
  });

  it("censors a child logger's bindings and an Error's own password, keeping the error's message", () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error("refused"), { password: "p2" });
    logger.child({ component: "c", authorization: "Bearer t" }).warn({ err: error }, "failed");
    expect(lines[0]).toMatchObject({
      component: "c",
      authorization: REDACTED,
      err: { message: "refused", password: REDACTED },
    });
    expect(JSON.stringify(lines[0])).not.toContain("p2");
    expect(JSON.stringify(lines[0])).not.toContain("Bearer t");
    logger.child({ component: "c" }).child({ password: "p3" }).info("grandchild");
    expect(lines[1]).toMatchObject({ component: "c", password: REDACTED, msg: "grandchild" });
  });

  it("leaves the caller's objects as they were, and passes a line without secrets through as it is", () => {
    const headers = { authorization: "Basic dTpw" };
    const fields = { event: "e", headers, password: "p" };
    expect(redactSecrets(fields)).toEqual({
      event: "e",
      headers: { authorization: REDACTED },
      password: REDACTED,
    });
    expect(fields).toEqual({ event: "e", headers: { authorization: "Basic dTpw" }, password: "p" });
    expect(headers.authorization).toBe("Basic dTpw");
    const plain = { event: "http_request", status: 200, list: [{ password: "in an array" }] };
    expect(redactSecrets(plain)).toBe(plain);
  });
});

describe("log lines leave once per turn of the event loop", () => {
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("writes the lines of one turn as one write at its end, and the next turn's as another", async () => {
    const writes: string[] = [];
    const out = linesPerTurn({ write: (text) => void writes.push(text) });
    out.write("a\n");
    out.write("b\n");
    out.write("c\n");
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(["a\nb\nc\n"]);
    out.write("d\n");
    await nextTurn();
    expect(writes).toEqual(["a\nb\nc\n", "d\n"]);
  });

  it("writes what is pending at once on flush(), then flushes the sink", async () => {
    const calls: string[] = [];
    const out = linesPerTurn({
      write: (text) => void calls.push(`write ${text}`),
      flush: (callback) => {
        calls.push("flush");
        callback?.();
      },
    });
    out.write("a\n");
    await new Promise<void>((resolve, reject) => out.flush((e) => (e ? reject(e) : resolve())));
    expect(calls).toEqual(["write a\n", "flush"]);
    await nextTurn();
    expect(calls).toHaveLength(2);
  });

  it("at exit, what is pending is written and the sink flushed synchronously (a line logged just before process.exit)", () => {
    const calls: string[] = [];
    const out = linesPerTurn({
      write: (text) => void calls.push(`write ${text}`),
      flushSync: () => void calls.push("flushSync"),
    });
    out.write("last\n");
    flushPendingLines(); // what the process's "exit" listener runs
    expect(calls).toEqual(["write last\n", "flushSync"]);
  });

  it("a real server's last lines, logged as it stops, are in its log after it exits", async () => {
    const server = await startStandalone("log-lines");
    const logFile = server.instance.logFile;
    await server.instance.shutdown();
    const text = readFileSync(logFile, "utf8");
    await server.stop();
    const events = text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => (JSON.parse(line) as { event?: string }).event);
    expect(events).toContain("server_stopping");
    expect(events.at(-1)).toBe("server_stopped");
  });
});
