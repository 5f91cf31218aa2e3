/**
 * Hook application on a SQLite store (both backends share this logic, and the store contract
 * runs on both), with the project's own hook messages (packages/testkit/fixtures/hook-messages,
 * always present) and, as an extra cross-check, the real Atlas samples in
 * ../shared/fixtures/atlas-hook (skipped when absent, a failure when absent under CI).
 * Messages are decoded by hook-consumer's codec.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeBody, HookDecoder, type HookNotification } from "@atlas-ha/hook-consumer";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { atlasSamplesRequired, hookFixturesDir, hookMessagesDir } from "@atlas-ha/testkit";
import { applyNotification, notificationChanges } from "../../src/hooks/apply.js";
import { createStore } from "../../src/store/index.js";
import type { MetadataStore, StoredEntity } from "../../src/store/types.js";

const samples = hookFixturesDir();
const fixtures = samples ?? "(absent)";
const messages = hookMessagesDir();
const dir = mkdtempSync(join(tmpdir(), "atlas-hook-apply-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fills a template fixture: `--name--`, `--clName--`, `--execTime--`, and the quoted `"--ts--"`. */
function fill(
  file: string,
  values: { name: string; clName: string; execTime?: number; ts?: number },
): string {
  return readFileSync(join(fixtures, file), "utf8")
    .replaceAll('"--ts--"', String(values.ts ?? 1_700_000_000_000))
    .replaceAll('"--execTime--"', String(values.execTime ?? 1_700_000_000_123))
    .replaceAll("--execTime--", String(values.execTime ?? 1_700_000_000_123))
    .replaceAll("--name--", values.name)
    .replaceAll("--clName--", values.clName);
}

function decodeValue(value: string): HookNotification {
  const result = new HookDecoder().decode(value, undefined);
  if (result.status !== "complete") throw new Error(`fixture did not decode: ${result.status}`);
  return result.notification;
}

function bodies(file: string): HookNotification[] {
  return (JSON.parse(readFileSync(join(fixtures, file), "utf8")) as unknown[]).map((b) =>
    decodeBody(b),
  );
}

/** One of the project's own messages (`v2/…`, `v1/…`, `derived/…`), decoded. */
function own(name: string): HookNotification {
  return decodeValue(readFileSync(join(messages, name), "utf8"));
}

let store: MetadataStore;
let offset = 0;
const EPOCH = 3;

function apply(notification: HookNotification, at?: { offset: string }) {
  offset += 1;
  return applyNotification(store, notification, {
    epoch: EPOCH,
    topic: "ATLAS_HOOK",
    partition: 0,
    offset: at?.offset ?? String(offset),
  });
}

/** The entity of that type and qualifiedName: the ACTIVE one, else the latest deleted one. */
async function get(typeName: string, qualifiedName: string): Promise<StoredEntity> {
  const found = await store.getByUniqueAttribute(typeName, qualifiedName);
  if (found) return found.entity;
  // A deleted entity is not found by its unique attribute (as in Atlas); search finds it.
  const { entities } = await store.searchBasic({ typeName, query: qualifiedName, limit: 1000 });
  const hit = entities.filter((e) => e.attributes.qualifiedName === qualifiedName).at(-1);
  const byGuid = hit && (await store.getByGuid(hit.guid));
  if (!byGuid) throw new Error(`no ${typeName} ${qualifiedName}`);
  return byGuid.entity;
}

beforeEach(async () => {
  store = createStore({
    backend: "sqlite",
    path: join(dir, `${Date.now()}-${offset}`, "atlas.db"),
  });
  await store.migrate();
  await store.fence(EPOCH);
});
afterEach(() => store.close());

describe("hook notifications from the project's own hook messages", () => {
  it("ENTITY_CREATE_V2 of a hive_db creates it, and a redelivery at the same offset changes nothing", async () => {
    const notification = own("v2/ENTITY_CREATE_V2.hive_db.json");
    const result = await apply(notification, { offset: "100" });
    expect(result.applied).toBe(true);
    const db = await get("hive_db", "warehouse@prod");
    expect(db).toMatchObject({
      status: "ACTIVE",
      createdBy: "etl",
      version: 0,
      isIncomplete: false,
      attributes: {
        name: "warehouse",
        clusterName: "prod",
        owner: "etl",
        ownerType: "USER",
        managedLocation: null,
        parameters: { team: "data-platform" },
      },
    });
    expect(result.applied && result.mutations.guidAssignments).toEqual({
      "-400000000000001": db.guid,
    });
    expect(await apply(notification, { offset: "100" })).toEqual({ applied: false });
    expect(await get("hive_db", "warehouse@prod")).toEqual(db);
  });

  it("a hive_db_ddl is attached to its database through relationshipAttributes", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.hive_db.json"));
    const db = await get("hive_db", "warehouse@prod");
    await apply(own("v2/ENTITY_CREATE_V2.hive_db_ddl.json"));
    const ddl = await get("hive_db_ddl", "warehouse@prod:1767225600250");
    expect(ddl.attributes).toMatchObject({
      queryText: "create database warehouse",
      execTime: 1_767_225_600_250,
      serviceType: "hive",
    });
    expect(ddl.relationshipAttributes.db).toMatchObject({
      guid: db.guid,
      typeName: "hive_db",
      uniqueAttributes: { qualifiedName: "warehouse@prod" },
      relationshipType: "hive_db_ddl_queries",
    });
  });

  it("a table's life: create with columns, FULL_UPDATE adds a column, PARTIAL_UPDATE renames, DELETE cascades; deleting again is a no-op", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.hive_db.json"));
    await apply(own("v2/ENTITY_CREATE_V2.hive_table.json"));
    const table = await get("hive_table", "warehouse.orders@prod");
    expect(table).toMatchObject({
      version: 0,
      attributes: { comment: "one row per order", tableType: "MANAGED_TABLE" },
    });
    expect(table.relationshipAttributes.db).toMatchObject({
      typeName: "hive_db",
      uniqueAttributes: { qualifiedName: "warehouse@prod" },
    });
    expect(table.relationshipAttributes.columns).toHaveLength(3);
    const sd = await get("hive_storagedesc", "warehouse.orders@prod_storage");
    expect(sd.relationshipAttributes.table).toMatchObject({ guid: table.guid });

    const full = await apply(own("v2/ENTITY_FULL_UPDATE_V2.hive_table.json"));
    expect(full.applied && full.mutations.mutatedEntities.CREATE?.map((h) => h.typeName)).toEqual([
      "hive_column",
    ]);
    const updated = await get("hive_table", "warehouse.orders@prod");
    expect(updated).toMatchObject({
      guid: table.guid,
      version: 1,
      attributes: { comment: "one row per order, with the shipping region" },
    });
    const region = await get("hive_column", "warehouse.orders.region@prod");
    expect(updated.relationshipAttributes.columns).toHaveLength(4);
    expect(updated.relationshipAttributes.columns).toContainEqual(
      expect.objectContaining({ guid: region.guid }),
    );

    await apply(own("v2/ENTITY_PARTIAL_UPDATE_V2.hive_table.json"));
    expect(await store.getByUniqueAttribute("hive_table", "warehouse.orders@prod")).toBeNull();
    expect(await get("hive_table", "warehouse.sales_orders@prod")).toMatchObject({
      guid: table.guid,
      version: 2,
      attributes: { name: "sales_orders", comment: "one row per order, with the shipping region" },
    });

    // The delete names the table by its old name: after the rename it finds nothing (a no-op).
    expect(await apply(own("v2/ENTITY_DELETE_V2.hive_table.json"))).toEqual({
      applied: true,
      mutations: { mutatedEntities: {}, guidAssignments: {} },
    });
    expect((await get("hive_table", "warehouse.sales_orders@prod")).status).toBe("ACTIVE");
  });

  it("ENTITY_DELETE_V2 of a table soft-deletes it with its columns and storage descriptor, then the database", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.hive_db.json"));
    await apply(own("v2/ENTITY_CREATE_V2.hive_table.json"));
    const deleted = await apply(own("v2/ENTITY_DELETE_V2.hive_table.json"));
    expect(
      deleted.applied && deleted.mutations.mutatedEntities.DELETE?.map((h) => h.typeName).sort(),
    ).toEqual(["hive_column", "hive_column", "hive_column", "hive_storagedesc", "hive_table"]);
    expect((await get("hive_table", "warehouse.orders@prod")).status).toBe("DELETED");
    expect((await get("hive_column", "warehouse.orders.amount@prod")).status).toBe("DELETED");
    expect((await get("hive_storagedesc", "warehouse.orders@prod_storage")).status).toBe("DELETED");
    expect((await get("hive_db", "warehouse@prod")).status).toBe("ACTIVE");
    await apply(own("v2/ENTITY_DELETE_V2.hive_db.json"));
    expect((await get("hive_db", "warehouse@prod")).status).toBe("DELETED");
    // Redelivered at new offsets (a replay after failover): nothing left to delete, no error.
    for (const name of [
      "v2/ENTITY_DELETE_V2.hive_table.json",
      "v2/ENTITY_DELETE_V2.hive_db.json",
    ]) {
      expect(await apply(own(name))).toEqual({
        applied: true,
        mutations: { mutatedEntities: {}, guidAssignments: {} },
      });
    }
  });

  it("a hive_process resolves its placeholders, creates the referred hdfs_path and a shell for the unknown output table", async () => {
    const result = await apply(own("v2/ENTITY_CREATE_V2.hive_process.json"));
    const process = await get("hive_process", "LOAD->:warehouse.orders@prod:1767226000000");
    const path = await get("hdfs_path", "hdfs://nn1:8020/landing/orders/2026-01-01@prod");
    const table = await get("hive_table", "warehouse.orders@prod");
    const execution = await get(
      "hive_process_execution",
      "LOAD->:warehouse.orders@prod:1767226000000:1767226000000:1767226004000",
    );
    expect(path).toMatchObject({ isIncomplete: false, attributes: { clusterName: "prod" } });
    expect(table).toMatchObject({
      isIncomplete: true,
      attributes: { qualifiedName: "warehouse.orders@prod" },
    });
    expect(process.relationshipAttributes.inputs).toEqual([
      expect.objectContaining({
        guid: path.guid,
        typeName: "hdfs_path",
        uniqueAttributes: { qualifiedName: path.attributes.qualifiedName },
        relationshipType: "dataset_process_inputs",
      }),
    ]);
    expect(process.relationshipAttributes.outputs).toEqual([
      expect.objectContaining({
        guid: table.guid,
        typeName: "hive_table",
        uniqueAttributes: { qualifiedName: "warehouse.orders@prod" },
        relationshipType: "process_dataset_outputs",
      }),
    ]);
    expect(execution.relationshipAttributes.process).toMatchObject({
      guid: process.guid,
      typeName: "hive_process",
    });
    expect(result.applied && Object.keys(result.mutations.guidAssignments).sort()).toEqual([
      "-400000000000040",
      "-400000000000041",
      "-400000000000042",
    ]);
    // The table's own create later fills the shell in, keeping its guid.
    await apply(own("v2/ENTITY_CREATE_V2.hive_table.json"));
    expect(await get("hive_table", "warehouse.orders@prod")).toMatchObject({
      guid: table.guid,
      isIncomplete: false,
      attributes: { name: "orders" },
    });
  });

  it("a LOAD from S3 (the v2 path types the Hive hook emits) and an Impala column lineage apply as Atlas's types", async () => {
    const ref = (typeName: string, qualifiedName: string) => ({
      typeName,
      uniqueAttributes: { qualifiedName },
    });
    const bucket = "s3a://landing@prod";
    const dir = "s3a://landing/orders/@prod";
    await apply(
      decodeBody({
        type: "ENTITY_CREATE_V2",
        user: "hive",
        entities: {
          entities: [
            {
              typeName: "hive_process",
              guid: "-1",
              attributes: {
                qualifiedName: "LOAD->:warehouse.orders@prod:1",
                name: "LOAD DATA INPATH 's3a://landing/orders/'",
                startTime: 1,
                endTime: 2,
                userName: "hive",
                operationType: "LOAD",
                queryText: "LOAD DATA INPATH 's3a://landing/orders/' INTO TABLE orders",
                queryPlan: "Not Supported",
                queryId: "q1",
              },
              relationshipAttributes: {
                inputs: [{ guid: "-2", typeName: "aws_s3_v2_directory" }],
                outputs: [ref("hive_table", "warehouse.orders@prod")],
              },
            },
          ],
          referredEntities: {
            "-2": {
              typeName: "aws_s3_v2_directory",
              guid: "-2",
              attributes: { qualifiedName: dir, name: "orders", objectPrefix: "/orders/" },
              relationshipAttributes: {
                container: {
                  guid: "-3",
                  typeName: "aws_s3_v2_bucket",
                  relationshipType: "aws_s3_v2_container_contained",
                },
              },
            },
            "-3": {
              typeName: "aws_s3_v2_bucket",
              guid: "-3",
              attributes: { qualifiedName: bucket, name: "landing" },
            },
          },
        },
      }),
    );
    const directory = await get("aws_s3_v2_directory", dir);
    expect(directory.relationshipAttributes.container).toMatchObject({
      typeName: "aws_s3_v2_bucket",
      guid: (await get("aws_s3_v2_bucket", bucket)).guid,
    });
    // The directory is a Path and a DataSet, as Atlas's patches made it.
    expect((await store.getByUniqueAttribute("Path", dir))?.entity.guid).toBe(directory.guid);

    await apply(
      decodeBody({
        type: "ENTITY_CREATE_V2",
        user: "impala",
        entities: {
          entities: [
            {
              typeName: "impala_process",
              guid: "-1",
              attributes: {
                qualifiedName: "warehouse.orders_copy@prod:1",
                name: "INSERT INTO orders_copy SELECT * FROM orders",
                startTime: 1,
                endTime: 2,
                userName: "impala",
                operationType: "QUERY",
                queryText: "INSERT INTO orders_copy SELECT * FROM orders",
                queryPlan: "Not Supported",
                queryId: "q2",
                inputs: [ref("hive_table", "warehouse.orders@prod")],
                outputs: [ref("hive_table", "warehouse.orders_copy@prod")],
              },
            },
            {
              typeName: "impala_column_lineage",
              guid: "-2",
              attributes: {
                qualifiedName: "warehouse.orders_copy@prod:1:id",
                name: "warehouse.orders_copy@prod:1:id",
                dependencyType: "SIMPLE",
                inputs: [ref("hive_column", "warehouse.orders.id@prod")],
                outputs: [ref("hive_column", "warehouse.orders_copy.id@prod")],
              },
              relationshipAttributes: { query: { guid: "-1", typeName: "impala_process" } },
            },
          ],
        },
      }),
    );
    const lineage = await get("impala_column_lineage", "warehouse.orders_copy@prod:1:id");
    expect(lineage.relationshipAttributes.query).toMatchObject({ typeName: "impala_process" });
    expect(await get("hive_column", "warehouse.orders.id@prod")).toMatchObject({
      isIncomplete: true,
    });
  });

  it("the GZIP and both split forms decode to the original and apply to the same entities", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.hive_db.json"));
    await apply(own("derived/ENTITY_CREATE_V2.hive_table.gzip.json"));
    const table = await get("hive_table", "warehouse.orders@prod");
    expect(table.relationshipAttributes.columns).toHaveLength(3);
    const original = own("v2/ENTITY_CREATE_V2.hive_table.json");
    for (const form of ["split-gzip", "split-plain"]) {
      const decoder = new HookDecoder();
      const parts = readdirSync(join(messages, "derived"))
        .filter((f) => f.includes(`${form}.part`))
        .sort();
      expect(parts.length).toBeGreaterThan(1);
      const results = parts.map((part) =>
        decoder.decode(readFileSync(join(messages, "derived", part), "utf8"), undefined),
      );
      const last = results.at(-1);
      if (last?.status !== "complete") throw new Error(`${form}: ${JSON.stringify(last)}`);
      expect(last.notification).toEqual(original);
      // The same table again: nothing changes, nothing is created.
      expect(await apply(last.notification)).toEqual({
        applied: true,
        mutations: { mutatedEntities: {}, guidAssignments: expect.any(Object) },
      });
    }
    expect(await get("hive_table", "warehouse.orders@prod")).toEqual(table);
  });

  it("HBase: the namespace, table and column families are created and related", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.hbase_table.json"));
    const namespace = await get("hbase_namespace", "telemetry@prod");
    const table = await get("hbase_table", "telemetry:events@prod");
    const families = await Promise.all(
      ["d", "meta"].map((cf) => get("hbase_column_family", `telemetry:events.${cf}@prod`)),
    );
    expect(namespace).toMatchObject({
      isIncomplete: false,
      createdBy: "hbase",
      attributes: { clusterName: "prod" },
    });
    expect(table).toMatchObject({
      attributes: { uri: "telemetry:events", durability: "ASYNC_WAL" },
    });
    expect(table.relationshipAttributes.namespace).toMatchObject({
      guid: namespace.guid,
      typeName: "hbase_namespace",
    });
    expect(table.relationshipAttributes.column_families).toEqual(
      families.map((f) => expect.objectContaining({ guid: f.guid })),
    );
    expect(families.map((f) => f.attributes.maxVersions)).toEqual([3, 1]);
  });

  it("Kafka and HDFS: a topic and a path are created with their attributes", async () => {
    await apply(own("v2/ENTITY_CREATE_V2.kafka_topic.json"));
    await apply(own("v2/ENTITY_CREATE_V2.hdfs_path.json"));
    const topic = await get("kafka_topic", "payments@prod");
    expect(topic).toMatchObject({
      createdBy: "kafka",
      attributes: { topic: "payments", partitionCount: 12 },
    });
    // Atlas's kafka_topic has no such attribute: ignored, as Atlas does (model.md, "Attribute validation").
    expect(topic.attributes).not.toHaveProperty("retentiontimeInHrs");
    expect(await get("hdfs_path", "hdfs://nn1:8020/archive/2025@prod")).toMatchObject({
      createdBy: "hdfs",
      attributes: {
        path: "hdfs://nn1:8020/archive/2025",
        nameServiceId: "nn1",
        numberOfReplicas: 3,
      },
    });
  });

  it("V1: create, full update, partial update and delete of a kafka_topic", async () => {
    await apply(own("v1/ENTITY_CREATE.kafka_topic.json"));
    const created = await get("kafka_topic", "clicks@prod");
    expect(created).toMatchObject({
      version: 0,
      createdBy: "kafka",
      attributes: { partitionCount: 6, owner: "web" },
    });
    await apply(own("v1/ENTITY_FULL_UPDATE.kafka_topic.json"));
    expect(await get("kafka_topic", "clicks@prod")).toMatchObject({
      guid: created.guid,
      version: 1,
      attributes: { partitionCount: 24 },
    });
    await apply(own("v1/ENTITY_PARTIAL_UPDATE.kafka_topic.json"));
    expect(await get("kafka_topic", "clicks@prod")).toMatchObject({
      guid: created.guid,
      version: 2,
      attributes: {
        partitionCount: 24,
        description: "page clicks, sampled",
      },
    });
    // kafka_topic has retentionBytesLocal/National, not retentionBytes: ignored, as in Atlas.
    expect((await get("kafka_topic", "clicks@prod")).attributes).not.toHaveProperty(
      "retentionBytes",
    );
    await apply(own("v1/ENTITY_DELETE.kafka_topic.json"));
    expect(await get("kafka_topic", "clicks@prod")).toMatchObject({
      guid: created.guid,
      status: "DELETED",
    });
  });

  it("V1: a hive_table with nested db, columns and storage descriptor creates them all, related", async () => {
    await apply(own("v1/ENTITY_CREATE.hive_table.json"));
    const table = await get("hive_table", "legacy.visits@prod");
    const db = await get("hive_db", "legacy@prod");
    const columns = await Promise.all(
      ["visitor", "visited_at"].map((c) => get("hive_column", `legacy.visits.${c}@prod`)),
    );
    const sd = await get("hive_storagedesc", "legacy.visits@prod_storage");
    expect(db).toMatchObject({ isIncomplete: false, createdBy: "hive" });
    // V1 has no relationshipAttributes: references in attributes that Atlas's model makes
    // relationships become relationships, shown under relationshipAttributes, as in Atlas.
    expect(table.attributes).not.toHaveProperty("db");
    expect(table.relationshipAttributes.db).toMatchObject({
      guid: db.guid,
      typeName: "hive_db",
      uniqueAttributes: { qualifiedName: "legacy@prod" },
    });
    expect(table.relationshipAttributes.columns).toEqual(
      columns.map((c) =>
        expect.objectContaining({
          guid: c.guid,
          typeName: "hive_column",
          uniqueAttributes: { qualifiedName: c.attributes.qualifiedName },
        }),
      ),
    );
    expect(table.relationshipAttributes.sd).toMatchObject({
      guid: sd.guid,
      typeName: "hive_storagedesc",
    });
    expect(sd.attributes.serdeInfo).toEqual({
      typeName: "hive_serde",
      attributes: {
        serializationLib: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        parameters: { "field.delim": "," },
      },
    });
  });

  it("a legacy bare V1 body names no user: the entity is created by the default user", async () => {
    await apply(own("v1/ENTITY_CREATE.hdfs_path.bare.json"));
    expect(await get("hdfs_path", "hdfs://nn1:8020/tmp/export@prod")).toMatchObject({
      createdBy: "atlas",
      attributes: { path: "hdfs://nn1:8020/tmp/export" },
    });
  });

  it("a V1 ENTITY_CREATE is applied through the same model", async () => {
    const v1 = decodeBody({
      type: "ENTITY_CREATE",
      user: "sqoop",
      entities: [
        {
          jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference",
          id: {
            jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Id",
            id: "-11",
            version: 0,
            typeName: "kafka_topic",
            state: "ACTIVE",
          },
          typeName: "kafka_topic",
          values: {
            qualifiedName: "orders@cm",
            name: "orders",
            topic: "orders",
            uri: "kafka://b1:9092/orders",
          },
          traitNames: [],
          traits: {},
        },
      ],
    });
    expect(notificationChanges(v1)).toEqual([
      { kind: "createOrUpdate", entities: (v1 as { entities: unknown }).entities },
    ]);
    await apply(v1);
    expect(await get("kafka_topic", "orders@cm")).toMatchObject({
      createdBy: "sqoop",
      attributes: { topic: "orders" },
    });
  });

  it("an entity of an unknown type fails permanently (failed-messages log) and records nothing", async () => {
    // A legacy V1 body of a type no server knows, naming no user.
    const notification = decodeBody({
      type: "ENTITY_CREATE",
      entities: [
        {
          jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Reference",
          id: {
            jsonClass: "org.apache.atlas.typesystem.json.InstanceSerialization$_Id",
            id: "-1",
            version: 0,
            typeName: "sometype",
            state: "ACTIVE",
          },
          typeName: "sometype",
          values: { attr: "value" },
          traitNames: [],
          traits: {},
        },
      ],
    });
    const error = await apply(notification, { offset: "7" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "PermanentHookError",
      permanent: true,
      code: "STORE_UNKNOWN_TYPE",
    });
    expect((error as Error).message).toMatch(/ENTITY_CREATE at ATLAS_HOOK\/0@7.*sometype/);
    expect((error as { cause?: { name?: string } }).cause?.name).toBe("StoreUnknownTypeError");
    expect(await store.isHookApplied({ topic: "ATLAS_HOOK", partition: 0, offset: "7" })).toBe(
      false,
    );
    // A partial update of an entity that does not exist cannot succeed on retry either.
    const orphan = decodeBody({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      user: "hive",
      entityId: { typeName: "hive_table", uniqueAttributes: { qualifiedName: "ghost@cm" } },
      entity: {
        entity: { typeName: "hive_table", attributes: { comment: "x" } },
        referredEntities: {},
      },
    });
    await expect(apply(orphan)).rejects.toMatchObject({
      name: "PermanentHookError",
      code: "STORE_ENTITY_NOT_FOUND",
    });
  });

  it("a message with one entity of an unknown type fails as a whole, naming the type, wherever the type appears", async () => {
    const db = {
      typeName: "hive_db",
      guid: "-1",
      attributes: { qualifiedName: "sales@cm", name: "sales", clusterName: "cm" },
    };
    const unknown = {
      typeName: "snowflake_table",
      guid: "-2",
      attributes: { qualifiedName: "sales.orders@sf", name: "orders" },
    };
    const messages: [string, unknown][] = [
      ["among the entities", { entities: [db, unknown] }],
      [
        "among the referred entities",
        {
          entities: [
            {
              ...db,
              relationshipAttributes: { mirror: { guid: "-2", typeName: "snowflake_table" } },
            },
          ],
          referredEntities: { "-2": unknown },
        },
      ],
      [
        "in a reference to an entity not sent",
        {
          entities: [
            {
              ...db,
              relationshipAttributes: {
                mirror: {
                  typeName: "snowflake_table",
                  uniqueAttributes: { qualifiedName: "sales.orders@sf" },
                },
              },
            },
          ],
        },
      ],
    ];
    for (const [where, entities] of messages) {
      const notification = decodeBody({ type: "ENTITY_CREATE_V2", user: "hive", entities });
      const at = String(100 + messages.findIndex(([w]) => w === where));
      const error = await apply(notification, { offset: at }).catch((e: unknown) => e);
      expect(error, where).toMatchObject({
        name: "PermanentHookError",
        permanent: true,
        code: "STORE_UNKNOWN_TYPE",
      });
      // The message is what the failed-messages log records as the reason.
      expect((error as Error).message, where).toMatch(
        new RegExp(`ENTITY_CREATE_V2 at ATLAS_HOOK/0@${at} cannot be applied: .*"snowflake_table"`),
      );
      expect(await store.getByUniqueAttribute("hive_db", "sales@cm"), where).toBeNull();
      expect(
        await store.isHookApplied({ topic: "ATLAS_HOOK", partition: 0, offset: at }),
        where,
      ).toBe(false);
    }
    // Not a fault of the known types: the same database alone applies.
    await apply(
      decodeBody({ type: "ENTITY_CREATE_V2", user: "hive", entities: { entities: [db] } }),
    );
    expect(await store.getByUniqueAttribute("hive_db", "sales@cm")).not.toBeNull();
  });

  it("a fenced write is not permanent: it surfaces as STORE_FENCED so the consumer stops without committing", async () => {
    await store.fence(EPOCH + 1);
    const notification = own("v2/ENTITY_CREATE_V2.hive_db.json");
    const error = await apply(notification, { offset: "9" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "StoreFencedError",
      code: "STORE_FENCED",
      fenced: true,
      permanent: false,
      epoch: EPOCH,
      highestEpoch: EPOCH + 1,
    });
    expect(await store.isHookApplied({ topic: "ATLAS_HOOK", partition: 0, offset: "9" })).toBe(
      false,
    );
    expect(await store.getByUniqueAttribute("hive_db", "warehouse@prod")).toBeNull();
  });
});

describe.skipIf(!samples && !atlasSamplesRequired())(
  "hook notifications from real Atlas hooks (cross-check)",
  () => {
    it("the real Atlas samples are present (required when CI is set)", () => {
      expect(
        samples,
        "no real Atlas samples at ../shared/fixtures/atlas-hook; set ATLAS_HA_FIXTURES",
      ).toBeDefined();
    });

    it("ENTITY_CREATE_V2 (create database) creates the hive_db, and a redelivery changes nothing", async () => {
      const notification = decodeValue(
        fill("ENTITY_CREATE_V2.envelope.create-db.json", { name: "sales", clName: "cm" }),
      );
      const result = await apply(notification, { offset: "100" });
      expect(result.applied).toBe(true);
      const db = await get("hive_db", "sales@cm");
      expect(db).toMatchObject({
        status: "ACTIVE",
        createdBy: "hive",
        version: 0,
        attributes: {
          name: "sales",
          clusterName: "cm",
          owner: "admin",
          ownerType: "USER",
          location: "some_location",
          managedLocation: null,
          parameters: {},
        },
      });
      expect(result.applied && result.mutations.guidAssignments).toEqual({
        "-72583599150177287": db.guid,
      });
      expect(await apply(notification, { offset: "100" })).toEqual({ applied: false });
      expect(await get("hive_db", "sales@cm")).toEqual(db);
    });

    it("the GZIP and split forms of the same message decode and apply to the same entity", async () => {
      const whole = JSON.parse(
        readFileSync(join(fixtures, "derived/ENTITY_CREATE_V2.envelope.filled.json"), "utf8"),
      );
      const qualifiedName = whole.message.entities.entities[0].attributes.qualifiedName as string;
      await apply(
        decodeValue(readFileSync(join(fixtures, "derived/ENTITY_CREATE_V2.gzip.json"), "utf8")),
      );
      const guid = (await get("hive_db", qualifiedName)).guid;
      const decoder = new HookDecoder();
      const parts = readdirSync(join(fixtures, "derived"))
        .filter((f) => f.includes("split-gzip.part"))
        .sort();
      let assembled: HookNotification | undefined;
      for (const part of parts) {
        const r = decoder.decode(readFileSync(join(fixtures, "derived", part), "utf8"), undefined);
        if (r.status === "complete") assembled = r.notification;
      }
      expect(assembled).toBeDefined();
      const again = await apply(assembled!);
      expect(again).toMatchObject({ applied: true, mutations: { mutatedEntities: {} } });
      expect((await get("hive_db", qualifiedName)).guid).toBe(guid);
    });

    it("a hive_db_ddl refers to its database by qualifiedName through relationshipAttributes", async () => {
      await apply(
        decodeValue(
          fill("ENTITY_CREATE_V2.envelope.create-db.json", { name: "sales", clName: "cm" }),
        ),
      );
      const db = await get("hive_db", "sales@cm");
      await apply(
        decodeValue(
          fill("ENTITY_CREATE_V2.envelope.create-db-ddl.json", {
            name: "sales",
            clName: "cm",
            execTime: 1_700_000_000_555,
          }),
        ),
      );
      const ddl = await get("hive_db_ddl", "sales@cm:1700000000555");
      expect(ddl.attributes).toMatchObject({
        queryText: "create database sales",
        execTime: 1_700_000_000_555,
        serviceType: "hive",
      });
      expect(ddl.relationshipAttributes.db).toMatchObject({
        guid: db.guid,
        typeName: "hive_db",
        uniqueAttributes: { qualifiedName: "sales@cm" },
        relationshipType: "hive_db_ddl_queries",
      });
      expect(ddl.createdBy).toBe("root");
    });

    it("a hive_process with its execution resolves placeholders, referred hdfs_path and the output table (a shell)", async () => {
      const [notification] = bodies("ENTITY_CREATE_V2.body-list.hs2-load-inpath.json");
      const result = await apply(notification!);
      expect(result.applied).toBe(true);
      const process = await get(
        "hive_process",
        "LOAD->:default.table_nrx8uoggc0@primary:1622738598000",
      );
      const path = await get(
        "hdfs_path",
        "file:/users/hive/apache/atlas-wip/addons/hive-bridge/target/load-data-thi5jt1lgj",
      );
      const table = await get("hive_table", "default.table_nrx8uoggc0@primary");
      const execution = await get(
        "hive_process_execution",
        "LOAD->:default.table_nrx8uoggc0@primary:1622738598000:1622738658982:1622738659471",
      );
      expect(path).toMatchObject({ isIncomplete: false, attributes: { clusterName: "primary" } });
      expect(table).toMatchObject({
        isIncomplete: true,
        attributes: { qualifiedName: "default.table_nrx8uoggc0@primary" },
      });
      expect(process.relationshipAttributes.inputs).toEqual([
        expect.objectContaining({
          guid: path.guid,
          typeName: "hdfs_path",
          uniqueAttributes: { qualifiedName: path.attributes.qualifiedName },
          relationshipType: "dataset_process_inputs",
        }),
      ]);
      expect(process.relationshipAttributes.outputs).toEqual([
        expect.objectContaining({
          guid: table.guid,
          typeName: "hive_table",
          uniqueAttributes: { qualifiedName: table.attributes.qualifiedName },
          relationshipType: "process_dataset_outputs",
        }),
      ]);
      expect(execution.relationshipAttributes.process).toMatchObject({
        guid: process.guid,
        typeName: "hive_process",
      });
      expect(process.attributes.recentQueries).toHaveLength(1);
      expect(result.applied && Object.keys(result.mutations.guidAssignments).sort()).toEqual([
        "-98504074851374",
        "-98504074851381",
        "-98504074851382",
      ]);
    });

    it("a table with columns, then DROP TABLE / DROP DATABASE soft-delete them; deleting again is a no-op", async () => {
      const db = decodeValue(
        fill("ENTITY_CREATE_V2.envelope.create-db.json", { name: "cadb02", clName: "cm" }),
      );
      await apply(db);
      // What the Hive hook sends for CREATE TABLE: the table, its columns and storage descriptor.
      const createTable = (table: string): HookNotification =>
        decodeBody({
          type: "ENTITY_CREATE_V2",
          user: "hive",
          entities: {
            entities: [
              {
                typeName: "hive_table",
                guid: "-1",
                attributes: {
                  qualifiedName: `cadb02.${table}@cm`,
                  name: table,
                  owner: "hive",
                  tableType: "MANAGED_TABLE",
                  temporary: false,
                },
                relationshipAttributes: {
                  db: {
                    typeName: "hive_db",
                    uniqueAttributes: { qualifiedName: "cadb02@cm" },
                    relationshipType: "hive_table_db",
                  },
                  columns: [
                    { guid: "-2", typeName: "hive_column", relationshipType: "hive_table_columns" },
                  ],
                  sd: {
                    guid: "-3",
                    typeName: "hive_storagedesc",
                    relationshipType: "hive_table_storagedesc",
                  },
                },
              },
            ],
            referredEntities: {
              "-2": {
                typeName: "hive_column",
                guid: "-2",
                attributes: {
                  qualifiedName: `cadb02.${table}.id@cm`,
                  name: "id",
                  type: "int",
                  position: 0,
                },
                relationshipAttributes: {
                  table: {
                    guid: "-1",
                    typeName: "hive_table",
                    relationshipType: "hive_table_columns",
                  },
                },
              },
              "-3": {
                typeName: "hive_storagedesc",
                guid: "-3",
                attributes: {
                  qualifiedName: `cadb02.${table}@cm_storage`,
                  location: `hdfs://nn/warehouse/cadb02.db/${table}`,
                  compressed: false,
                },
                relationshipAttributes: {
                  table: {
                    guid: "-1",
                    typeName: "hive_table",
                    relationshipType: "hive_table_storagedesc",
                  },
                },
              },
            },
          },
        });
      for (const table of ["hh6_renamed", "hh6_renamed_view2", "cc1"])
        await apply(createTable(table));
      const table = await get("hive_table", "cadb02.cc1@cm");
      const column = await get("hive_column", "cadb02.cc1.id@cm");
      expect(table.relationshipAttributes.db).toMatchObject({
        typeName: "hive_db",
        uniqueAttributes: { qualifiedName: "cadb02@cm" },
      });
      expect(table.relationshipAttributes.columns).toEqual([
        expect.objectContaining({ guid: column.guid }),
      ]);
      expect(column.relationshipAttributes.table).toMatchObject({ guid: table.guid });

      const drops = bodies("ENTITY_DELETE_V2.body-list.hs2-drop-table.json");
      for (const drop of drops) expect((await apply(drop)).applied).toBe(true);
      for (const t of ["hh6_renamed", "hh6_renamed_view2", "cc1"]) {
        expect((await get("hive_table", `cadb02.${t}@cm`)).status).toBe("DELETED");
        expect((await get("hive_column", `cadb02.${t}.id@cm`)).status).toBe("DELETED");
        expect((await get("hive_storagedesc", `cadb02.${t}@cm_storage`)).status).toBe("DELETED");
      }
      expect((await get("hive_db", "cadb02@cm")).status).toBe("DELETED");
      // Redelivered at new offsets (a replay after failover): nothing left to delete, no error.
      for (const drop of drops) {
        expect(await apply(drop)).toEqual({
          applied: true,
          mutations: { mutatedEntities: {}, guidAssignments: {} },
        });
      }
      // The delete-db envelope for a database that never existed is a no-op too.
      expect(
        (
          await apply(
            decodeValue(
              fill("ENTITY_DELETE_V2.envelope.delete-db.json", { name: "never", clName: "cm" }),
            ),
          )
        ).applied,
      ).toBe(true);
    });

    it("ENTITY_PARTIAL_UPDATE_V2 changes only the given attributes and renames by a new qualifiedName", async () => {
      await apply(
        decodeValue(
          fill("ENTITY_CREATE_V2.envelope.create-db.json", { name: "sales", clName: "cm" }),
        ),
      );
      const before = await get("hive_db", "sales@cm");
      const rename = decodeBody({
        type: "ENTITY_PARTIAL_UPDATE_V2",
        user: "hive",
        entityId: { typeName: "hive_db", uniqueAttributes: { qualifiedName: "sales@cm" } },
        entity: {
          entity: {
            typeName: "hive_db",
            attributes: { qualifiedName: "revenue@cm", name: "revenue" },
          },
          referredEntities: {},
        },
      });
      const result = await apply(rename);
      expect(
        result.applied && result.mutations.mutatedEntities.PARTIAL_UPDATE?.map((h) => h.guid),
      ).toEqual([before.guid]);
      expect(await store.getByUniqueAttribute("hive_db", "sales@cm")).toBeNull();
      expect(await get("hive_db", "revenue@cm")).toMatchObject({
        guid: before.guid,
        version: 1,
        attributes: {
          name: "revenue",
          owner: "admin",
          location: "some_location",
          clusterName: "cm",
        },
      });
    });
  },
);
