/**
 * Classification propagation (docs/contracts/model.md) through Apache Atlas's official Java
 * client (`org.apache.atlas:atlas-client-v2` 2.4.0, PropagationScenario.java) against a real
 * atlas-server process with ZooKeeper, on both stores: classify a source with propagate=true,
 * read the downstream table (the tag with the source's entityGuid), read, block and unblock
 * it on the relationship, a refused propagateTags, remove it at the source and see it gone.
 */
import { usePostgres, useZooKeeper } from "@atlas-ha/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGroup, type Group } from "../support/group.js";
import { runJavaScenario } from "../support/java-client.js";

describe.each(["sqlite", "postgres"] as const)(
  "Atlas's Java client AtlasClientV2 2.4.0 and classification propagation (%s)",
  (backend) => {
    const zk = useZooKeeper({ nodes: 1 });
    const pg = usePostgres();
    let group: Group;

    beforeAll(async () => {
      const properties: Record<string, string> =
        backend === "postgres"
          ? {
              "atlas.store.backend": "postgres",
              "atlas.store.postgres.url": await pg().createDatabase(
                `java_propagation_${process.pid}`,
              ),
            }
          : {};
      group = await startGroup({ zkConnect: zk().connectString, instances: 1, properties });
    }, 180_000);
    afterAll(() => group?.stop());

    it("the downstream table shows the source's tag; the relationship lists, blocks and unblocks it; removed at the source it is gone", async () => {
      const { active } = await group.roles();
      const steps = await runJavaScenario(
        "PropagationScenario",
        active.url,
        `${backend}${Date.now()}`,
      );
      expect(steps.failed).toBeUndefined();
      const src = steps.propagated!.src as string;
      const tag = (steps.propagated!.dst as string[])[0]!.split("<-")[0]!;
      expect(tag).toMatch(/^JAVA_PROP_/);
      expect(steps.propagated).toMatchObject({
        dst: [`${tag}<-${src}`],
        entityGuid: src,
        propagate: true,
        entityStatus: "ACTIVE",
        header: [tag],
      });
      expect(steps.relationship).toMatchObject({
        propagateTags: "ONE_TO_TWO",
        propagated: [src],
        referredSource: true,
      });
      expect(steps.block).toMatchObject({
        blocked: [src],
        dst: [],
        dstUnblocked: [`${tag}<-${src}`],
      });
      expect(steps.propagateTags).toMatchObject({ both: 400 });
      expect(String(steps.propagateTags!.bothMessage)).toContain("ATLAS-400-00-091");
      expect(steps.removed).toMatchObject({ dst: [] });
    }, 300_000);
  },
);
