import { waitFor } from "@atlas-ha/testkit";
import { useZooKeeper } from "@atlas-ha/testkit/vitest";
import { createHaState, type HaState } from "@atlas-ha/ha-state";
import Koa from "koa";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { haRedirect } from "../../src/index.js";

// Real servers: a standalone ZooKeeper; two ha-state instances elect an active and publish
// its address; each has a Koa app with the middleware, fed by ha-state's snapshot().
describe("haRedirect with a real ha-state", () => {
  const zk = useZooKeeper({ nodes: 1, tickTime: 200 });
  const instances: HaState[] = [];
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
  });

  function instance(id: string, selfAddress: string) {
    const ha = createHaState({
      serverId: id,
      selfAddress,
      zookeeper: { connect: zk().connectString, zkRoot: "/mw", sessionTimeoutMs: 4000 },
    });
    instances.push(ha);
    const app = new Koa();
    app.use(haRedirect({ source: ha, selfAddress }));
    app.use((ctx) => {
      ctx.body = { servedBy: id };
    });
    return { ha, app };
  }

  it("redirects from the passive to the address the active published, and follows a failover", async () => {
    const a = instance("a", "http://127.0.0.1:31000");
    const b = instance("b", "http://127.0.0.1:31001");
    await a.ha.start();
    await waitFor(() => a.ha.isActive(), { timeoutMs: 10_000, what: "a to be ACTIVE" });
    await b.ha.start();
    await waitFor(() => b.ha.snapshot().activeAddress === "http://127.0.0.1:31000", {
      timeoutMs: 5000,
      what: "b to see a's address",
    });

    const served = await request(a.app.callback()).get("/api/atlas/v2/entity/guid/1");
    expect(served.status).toBe(200);
    expect(served.body).toEqual({ servedBy: "a" });
    const redirected = await request(b.app.callback()).post("/api/atlas/v2/entity?x=%3D1").send({});
    expect(redirected.status).toBe(307);
    expect(redirected.headers.location).toBe("http://127.0.0.1:31000/api/atlas/v2/entity?x=%3D1");
    const status = await request(b.app.callback()).get("/api/atlas/admin/status");
    expect(status.status).toBe(200); // exempt: answered locally (the handler here stands in for the status route)

    await a.ha.stop();
    await waitFor(() => b.ha.isActive(), { timeoutMs: 5000, what: "b to take over" });
    const now = await request(b.app.callback()).get("/api/atlas/v2/entity/guid/1");
    expect(now.status).toBe(200);
    expect(now.body).toEqual({ servedBy: "b" });
  });
});
