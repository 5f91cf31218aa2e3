// A TCP proxy between one atlas-server instance and ZooKeeper that the bench can sever:
// the network blip of issue figure 3, closer to the real thing than SIGSTOP on ZooKeeper
// (which would freeze every client's session clock on the server side too).
//
// Two kinds of cut:
// - "reset": every open connection is reset and new ones are refused (a restarted
//   firewall, a NAT table flushed): the client sees the disconnect at once.
// - "blackhole": connections stay open but nothing passes either way; bytes are held and
//   delivered on heal, as TCP retransmission would (a switch that drops packets for a
//   moment). The client notices only through its own read timeout.
import net from "node:net";

export class ZkProxy {
  #server;
  #target;
  #pairs = new Set();
  #mode = "open";

  constructor(target) {
    const [host, port] = target.split(":");
    this.#target = { host, port: Number(port) };
    this.#server = net.createServer((client) => this.#accept(client));
  }

  async listen() {
    await new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", resolve);
    });
    return this;
  }

  /** `127.0.0.1:<port>`, the connect string to give the instance. */
  get connectString() {
    return `127.0.0.1:${this.#server.address().port}`;
  }

  get mode() {
    return this.#mode;
  }

  /** Severs the link: `"reset"` or `"blackhole"` (see above). */
  cut(kind) {
    this.#mode = kind;
    if (kind === "reset") {
      for (const pair of this.#pairs) pair.reset();
      this.#pairs.clear();
    }
  }

  /** Restores the link; held bytes (blackhole) are delivered. */
  heal() {
    this.#mode = "open";
    for (const pair of this.#pairs) pair.flush();
  }

  async close() {
    for (const pair of this.#pairs) pair.reset();
    this.#pairs.clear();
    await new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client) {
    if (this.#mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.#target);
    const held = { up: [], down: [] };
    const pair = {
      reset: () => {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      },
      flush: () => {
        for (const chunk of held.up.splice(0)) upstream.write(chunk);
        for (const chunk of held.down.splice(0)) client.write(chunk);
      },
    };
    this.#pairs.add(pair);
    const forward = (queue, to) => (chunk) => {
      if (this.#mode === "blackhole") queue.push(chunk);
      else to.write(chunk);
    };
    client.on("data", forward(held.up, upstream));
    upstream.on("data", forward(held.down, client));
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end);
    upstream.on("close", end);
    client.on("error", () => undefined);
    upstream.on("error", () => undefined);
  }
}
