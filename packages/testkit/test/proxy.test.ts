import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy, waitFor, type TcpProxy } from "../src/index.js";

// A real echo server on loopback behind a real proxy; every wait is on an event or a condition.
let echo: Server;
let echoPort = 0;
const echoSockets = new Set<Socket>();
/** Bytes the echo server received, per connection, in accept order. */
const received: string[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    echoSockets.add(socket);
    socket.once("close", () => echoSockets.delete(socket));
    const index = received.push("") - 1;
    socket.on("data", (chunk) => {
      received[index] += chunk.toString();
      socket.write(chunk);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of echoSockets) socket.destroy();
  await new Promise((resolve) => echo.close(resolve));
});

interface Client {
  socket: Socket;
  text: () => string;
  closed: Promise<void>;
}

function open(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({ port, host: "127.0.0.1" });
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      resolve({ socket, text: () => text, closed });
    });
  });
}

function connectError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "?"));
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
  });
}

async function roundTrip(client: Client, text: string): Promise<void> {
  const before = client.text().length;
  client.socket.write(text);
  await waitFor(() => client.text().length >= before + text.length, {
    timeoutMs: 5000,
    what: `the echo of ${text}`,
  });
}

describe("TcpProxy (a real echo server on loopback)", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy({ target: echoPort, name: "test → echo" });
  });
  afterAll(() => proxy.close());

  it("forwards bytes both ways until cut", async () => {
    const client = await open(proxy.port);
    await roundTrip(client, "hello");
    expect(client.text()).toBe("hello");
    expect(proxy.state).toBe("open");
    expect(proxy.connections).toBe(1);
    client.socket.destroy();
    await waitFor(() => proxy.connections === 0, { timeoutMs: 5000, what: "the link to close" });
  });

  it("refuse: drops live connections, refuses new ones, and the same port works again after restore", async () => {
    const live = await open(proxy.port);
    await roundTrip(live, "before");
    await proxy.cut({ mode: "refuse" });
    expect(proxy.state).toBe("refusing");
    await live.closed;
    expect(await connectError(proxy.port)).toBe("ECONNREFUSED");
    await proxy.restore();
    expect(proxy.state).toBe("open");
    const again = await open(proxy.port);
    await roundTrip(again, "after");
    expect(again.text()).toBe("after");
    again.socket.destroy();
  });

  it("blackhole: drops live connections, accepts new ones that hear nothing, and closes those on restore", async () => {
    const live = await open(proxy.port);
    await roundTrip(live, "x");
    const echoedBefore = received.length;
    await proxy.cut({ mode: "blackhole" });
    expect(proxy.state).toBe("blackholing");
    await live.closed;
    const silent = await open(proxy.port);
    silent.socket.write("into the void");
    // The proxy read the bytes (so the client's write completed) and kept the link open.
    await waitFor(
      () => silent.socket.bytesWritten === "into the void".length && proxy.connections === 1,
      { timeoutMs: 5000, what: "the write to leave the client" },
    );
    await proxy.restore();
    await silent.closed;
    expect(silent.text()).toBe("");
    expect(received.length).toBe(echoedBefore); // the target never saw that connection
  });

  it("stall: keeps live connections open but moves nothing, then closes them on restore", async () => {
    const live = await open(proxy.port);
    await roundTrip(live, "one");
    const index = received.length - 1;
    await proxy.cut({ mode: "blackhole", live: "stall" });
    const discardedBefore = proxy.discardedBytes;
    live.socket.write("two");
    // Restore only once the proxy has read "two" and dropped it: had it forwarded the bytes
    // instead, they would not count as discarded (and the target would have them).
    await waitFor(() => proxy.discardedBytes - discardedBefore === "two".length, {
      timeoutMs: 5000,
      what: "the proxy to read and drop the write",
    });
    expect(live.socket.destroyed).toBe(false);
    await proxy.restore();
    await live.closed;
    expect(live.text()).toBe("one");
    expect(received[index]).toBe("one");
  });

  it("refuse with stall: the cut takes effect at once while live connections stay open and silent", async () => {
    const live = await open(proxy.port);
    await roundTrip(live, "alpha");
    const index = received.length - 1;
    // Resolves although the stalled connection is still open: a cut never waits for clients.
    await proxy.cut({ mode: "refuse", live: "stall" });
    expect(live.socket.destroyed).toBe(false);
    expect(await connectError(proxy.port)).toBe("ECONNREFUSED");
    live.socket.write("beta");
    await waitFor(() => live.socket.bytesWritten === "alphabeta".length, {
      timeoutMs: 5000,
      what: "the write to leave the client",
    });
    await proxy.restore();
    await live.closed;
    expect(live.text()).toBe("alpha");
    expect(received[index]).toBe("alpha");
    const again = await open(proxy.port);
    await roundTrip(again, "gamma");
    again.socket.destroy();
  });

  it("a cut proxy can change its mode; close() ends it for good", async () => {
    const other = await startTcpProxy({ target: echoPort });
    await other.cut({ mode: "blackhole" });
    expect((await open(other.port)).socket.remoteAddress).toBe("127.0.0.1");
    await other.cut({ mode: "refuse" });
    expect(await connectError(other.port)).toBe("ECONNREFUSED");
    await other.close();
    expect(other.state).toBe("closed");
    expect(await connectError(other.port)).toBe("ECONNREFUSED");
    await expect(other.cut()).rejects.toMatchObject({
      name: "TcpProxyError",
      code: "TCP_PROXY_CLOSED",
    });
    await expect(other.cut({ mode: "sideways" as never })).rejects.toMatchObject({
      code: "TCP_PROXY_CLOSED",
    });
  });

  it("refuses a bad mode and a port that is taken, with typed errors", async () => {
    await expect(proxy.cut({ mode: "sideways" as never })).rejects.toMatchObject({
      name: "TcpProxyError",
      code: "TCP_PROXY_BAD_OPTION",
    });
    expect(proxy.state).toBe("open");
    await expect(startTcpProxy({ target: echoPort, port: proxy.port })).rejects.toMatchObject({
      name: "TcpProxyError",
      code: "TCP_PROXY_PORT_IN_USE",
    });
  });
});
