// The baseline server of issue figure 4: a bare Koa app (no auth, no logging, no metrics, no
// HA) answering what a passive atlas-server answers — the same 302 (Location: the active's
// address + the raw path and query, Cache-Control: no-store, empty body) and the same status
// JSON. Forked by the bench: argv[2] is the active address; it reports its port over IPC.
import { once } from "node:events";
import http from "node:http";
import Koa from "koa";

const activeAddress = process.argv[2] ?? "http://127.0.0.1:1";
const status = JSON.stringify({ Status: process.argv[3] ?? "PASSIVE" });
const app = new Koa();
app.use((ctx) => {
  ctx.set("Cache-Control", "no-store");
  if (ctx.path === "/api/atlas/admin/status") {
    ctx.type = "application/json";
    ctx.body = status;
    return;
  }
  ctx.status = 302;
  ctx.set("Location", activeAddress + ctx.req.url);
  ctx.body = "";
});
const server = http.createServer(app.callback());
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1");
await once(server, "listening");
process.send({ port: server.address().port, pid: process.pid });
process.on("disconnect", () => process.exit(0));
