import { describe, expect, it } from "vitest";
import { decodeBody, HookDecoder, type HookNotification } from "../../src/index.js";
import { decodeAll } from "../helpers/decode.js";
import { permutations } from "../helpers/fixtures.js";
import { message, messageNames } from "../helpers/messages.js";

// The project's own hook messages (packages/testkit/fixtures/hook-messages): every envelope form
// and notification type, always in the repository, so none of this ever skips.
const decode = (name: string) => decodeAll([message(name)]);

function narrow<T extends HookNotification["type"]>(
  n: HookNotification,
  type: T,
): Extract<HookNotification, { type: T }> {
  if (n.type !== type) throw new Error(`expected ${type}, got ${n.type}`);
  return n as Extract<HookNotification, { type: T }>;
}

describe("the project's hook messages decode to the expected notification", () => {
  it("every fixture file is covered by a test below", () => {
    const covered = new Set([
      "v2/ENTITY_CREATE_V2.hive_db.json",
      "v2/ENTITY_CREATE_V2.hive_db_ddl.json",
      "v2/ENTITY_CREATE_V2.hive_table.json",
      "v2/ENTITY_CREATE_V2.hive_process.json",
      "v2/ENTITY_CREATE_V2.hbase_table.json",
      "v2/ENTITY_CREATE_V2.kafka_topic.json",
      "v2/ENTITY_CREATE_V2.hdfs_path.json",
      "v2/ENTITY_FULL_UPDATE_V2.hive_table.json",
      "v2/ENTITY_PARTIAL_UPDATE_V2.hive_table.json",
      "v2/ENTITY_DELETE_V2.hive_table.json",
      "v2/ENTITY_DELETE_V2.hive_db.json",
      "v1/ENTITY_CREATE.kafka_topic.json",
      "v1/ENTITY_FULL_UPDATE.kafka_topic.json",
      "v1/ENTITY_PARTIAL_UPDATE.kafka_topic.json",
      "v1/ENTITY_DELETE.kafka_topic.json",
      "v1/ENTITY_CREATE.hive_table.json",
      "v1/ENTITY_CREATE.hdfs_path.bare.json",
      "derived/ENTITY_CREATE_V2.hive_table.gzip.json",
      ...[0, 1, 2].map((i) => `derived/ENTITY_CREATE_V2.hive_table.split-gzip.part${i}.json`),
      ...[0, 1, 2, 3].map((i) => `derived/ENTITY_CREATE_V2.hive_table.split-plain.part${i}.json`),
    ]);
    const names = messageNames();
    expect(names.filter((n) => !covered.has(n))).toEqual([]);
    expect([...covered].filter((n) => !names.includes(n))).toEqual([]);
  });

  it("V2 ENTITY_CREATE_V2 of a hive_db keeps the envelope details and the entity as sent", () => {
    const { notification, envelope } = decode("v2/ENTITY_CREATE_V2.hive_db.json");
    expect(envelope).toEqual({
      enveloped: true,
      version: "1.0.0",
      compression: "NONE",
      splitCount: 1,
      msgSourceIP: "10.20.0.11",
      msgCreatedBy: "hive",
      msgCreationTime: 1_767_225_600_000,
      spooled: false,
    });
    expect(notification).toMatchObject({
      type: "ENTITY_CREATE_V2",
      format: "V2",
      wireType: "ENTITY_CREATE_V2",
      user: "etl",
    });
    const { entities } = narrow(notification, "ENTITY_CREATE_V2");
    expect(entities.referredEntities).toEqual({});
    expect(entities.entities).toHaveLength(1);
    expect(entities.entities[0]).toMatchObject({
      typeName: "hive_db",
      guid: "-400000000000001",
      isIncomplete: false,
      attributes: {
        qualifiedName: "warehouse@prod",
        clusterName: "prod",
        managedLocation: null,
        parameters: { team: "data-platform" },
      },
    });
  });

  it("a hive_db_ddl names its db by qualifiedName in relationshipAttributes", () => {
    const { entities } = narrow(
      decode("v2/ENTITY_CREATE_V2.hive_db_ddl.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(entities.entities[0]).toMatchObject({
      typeName: "hive_db_ddl",
      attributes: { qualifiedName: "warehouse@prod:1767225600250", execTime: 1_767_225_600_250 },
      relationshipAttributes: {
        db: {
          typeName: "hive_db",
          uniqueAttributes: { qualifiedName: "warehouse@prod" },
          relationshipType: "hive_db_ddl_queries",
        },
      },
    });
  });

  it("a hive_table refers to its columns and storage descriptor by placeholder guid, carried as referred entities", () => {
    const { entities } = narrow(
      decode("v2/ENTITY_CREATE_V2.hive_table.json").notification,
      "ENTITY_CREATE_V2",
    );
    const [table] = entities.entities;
    expect(table?.typeName).toBe("hive_table");
    const columns = table?.relationshipAttributes?.columns as { guid: string }[];
    expect(columns.map((c) => c.guid)).toEqual([
      "-400000000000021",
      "-400000000000022",
      "-400000000000023",
    ]);
    expect(Object.keys(entities.referredEntities).sort()).toEqual(
      [...columns.map((c) => c.guid), "-400000000000030"].sort(),
    );
    expect(entities.referredEntities["-400000000000030"]).toMatchObject({
      typeName: "hive_storagedesc",
      attributes: {
        serdeInfo: {
          typeName: "hive_serde",
          attributes: { serializationLib: "org.apache.hadoop.hive.ql.io.orc.OrcSerde" },
        },
      },
    });
  });

  it("a hive_process with its execution: a referred hdfs_path in, a table named by qualifiedName out", () => {
    const { entities } = narrow(
      decode("v2/ENTITY_CREATE_V2.hive_process.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(entities.entities.map((e) => [e.typeName, e.guid])).toEqual([
      ["hive_process", "-400000000000041"],
      ["hive_process_execution", "-400000000000042"],
    ]);
    expect(Object.values(entities.referredEntities).map((e) => e.typeName)).toEqual(["hdfs_path"]);
    expect(entities.entities[0]?.relationshipAttributes).toMatchObject({
      inputs: [{ guid: "-400000000000040", typeName: "hdfs_path" }],
      outputs: [
        { typeName: "hive_table", uniqueAttributes: { qualifiedName: "warehouse.orders@prod" } },
      ],
    });
  });

  it("HBase, Kafka and HDFS shapes: namespace, table and column families; a topic; a path", () => {
    const hbase = narrow(
      decode("v2/ENTITY_CREATE_V2.hbase_table.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(hbase.user).toBe("hbase");
    expect(
      hbase.entities.entities.map((e) => `${e.typeName} ${e.attributes?.qualifiedName}`),
    ).toEqual([
      "hbase_table telemetry:events@prod",
      "hbase_column_family telemetry:events.d@prod",
      "hbase_column_family telemetry:events.meta@prod",
    ]);
    expect(Object.values(hbase.entities.referredEntities).map((e) => e.typeName)).toEqual([
      "hbase_namespace",
    ]);
    const kafka = narrow(
      decode("v2/ENTITY_CREATE_V2.kafka_topic.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(kafka.entities.entities[0]).toMatchObject({
      typeName: "kafka_topic",
      attributes: { topic: "payments", partitionCount: 12 },
    });
    const hdfs = narrow(
      decode("v2/ENTITY_CREATE_V2.hdfs_path.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(hdfs.entities.entities[0]).toMatchObject({
      typeName: "hdfs_path",
      attributes: { path: "hdfs://nn1:8020/archive/2025", nameServiceId: "nn1" },
    });
  });

  it("ENTITY_FULL_UPDATE_V2 carries the whole table again, with the added column", () => {
    const { notification } = decode("v2/ENTITY_FULL_UPDATE_V2.hive_table.json");
    expect(notification).toMatchObject({
      type: "ENTITY_FULL_UPDATE_V2",
      wireType: "ENTITY_FULL_UPDATE_V2",
      format: "V2",
    });
    const { entities } = narrow(notification, "ENTITY_FULL_UPDATE_V2");
    expect(
      Object.values(entities.referredEntities)
        .filter((e) => e.typeName === "hive_column")
        .map((e) => e.attributes?.name),
    ).toEqual(["order_id", "amount", "placed_at", "region"]);
  });

  it("ENTITY_PARTIAL_UPDATE_V2 names the entity to change and only the attributes that change", () => {
    expect(decode("v2/ENTITY_PARTIAL_UPDATE_V2.hive_table.json").notification).toEqual({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      format: "V2",
      wireType: "ENTITY_PARTIAL_UPDATE_V2",
      user: "etl",
      entityId: {
        typeName: "hive_table",
        uniqueAttributes: { qualifiedName: "warehouse.orders@prod" },
      },
      entity: {
        entity: {
          typeName: "hive_table",
          attributes: { qualifiedName: "warehouse.sales_orders@prod", name: "sales_orders" },
        },
        referredEntities: {},
      },
    });
  });

  it.each([
    ["v2/ENTITY_DELETE_V2.hive_table.json", "hive_table", "warehouse.orders@prod"],
    ["v2/ENTITY_DELETE_V2.hive_db.json", "hive_db", "warehouse@prod"],
  ])(
    "ENTITY_DELETE_V2 %s names the entity by type and qualifiedName",
    (name, typeName, qualifiedName) => {
      expect(decode(name).notification).toEqual({
        type: "ENTITY_DELETE_V2",
        format: "V2",
        wireType: "ENTITY_DELETE_V2",
        user: "etl",
        entities: [{ typeName, uniqueAttributes: { qualifiedName } }],
      });
    },
  );
});

describe("the project's V1 hook messages are normalised to the V2 model", () => {
  const topic = (partitionCount: number) => ({
    typeName: "kafka_topic",
    guid: "-500000000000001",
    status: "ACTIVE",
    attributes: {
      qualifiedName: "clicks@prod",
      name: "clicks",
      topic: "clicks",
      uri: "clicks",
      partitionCount,
      replicationFactor: 3,
      owner: "web",
    },
  });

  it("ENTITY_CREATE → ENTITY_CREATE_V2, ENTITY_FULL_UPDATE → ENTITY_FULL_UPDATE_V2", () => {
    expect(decode("v1/ENTITY_CREATE.kafka_topic.json").notification).toEqual({
      type: "ENTITY_CREATE_V2",
      format: "V1",
      wireType: "ENTITY_CREATE",
      user: "kafka",
      entities: { entities: [topic(6)], referredEntities: {} },
    });
    expect(decode("v1/ENTITY_FULL_UPDATE.kafka_topic.json").notification).toEqual({
      type: "ENTITY_FULL_UPDATE_V2",
      format: "V1",
      wireType: "ENTITY_FULL_UPDATE",
      user: "kafka",
      entities: { entities: [topic(24)], referredEntities: {} },
    });
  });

  it("ENTITY_PARTIAL_UPDATE names the entity by typeName + attribute + attributeValue", () => {
    expect(decode("v1/ENTITY_PARTIAL_UPDATE.kafka_topic.json").notification).toEqual({
      type: "ENTITY_PARTIAL_UPDATE_V2",
      format: "V1",
      wireType: "ENTITY_PARTIAL_UPDATE",
      user: "kafka",
      entityId: { typeName: "kafka_topic", uniqueAttributes: { qualifiedName: "clicks@prod" } },
      entity: {
        entity: {
          typeName: "kafka_topic",
          guid: "-500000000000002",
          status: "ACTIVE",
          attributes: { retentionBytes: 536_870_912, description: "page clicks, sampled" },
        },
        referredEntities: {},
      },
    });
  });

  it("ENTITY_DELETE → ENTITY_DELETE_V2 of one entity", () => {
    expect(decode("v1/ENTITY_DELETE.kafka_topic.json").notification).toEqual({
      type: "ENTITY_DELETE_V2",
      format: "V1",
      wireType: "ENTITY_DELETE",
      user: "kafka",
      entities: [{ typeName: "kafka_topic", uniqueAttributes: { qualifiedName: "clicks@prod" } }],
    });
  });

  it("nested Referenceables become referred entities and object ids; a Struct becomes {typeName, attributes}", () => {
    const { entities } = narrow(
      decode("v1/ENTITY_CREATE.hive_table.json").notification,
      "ENTITY_CREATE_V2",
    );
    expect(entities.entities).toHaveLength(1);
    expect(entities.entities[0]?.attributes).toMatchObject({
      db: {
        typeName: "hive_db",
        guid: "-500000000000010",
        uniqueAttributes: { qualifiedName: "legacy@prod" },
      },
      columns: [
        {
          typeName: "hive_column",
          guid: "-500000000000011",
          uniqueAttributes: { qualifiedName: "legacy.visits.visitor@prod" },
        },
        {
          typeName: "hive_column",
          guid: "-500000000000012",
          uniqueAttributes: { qualifiedName: "legacy.visits.visited_at@prod" },
        },
      ],
      sd: { typeName: "hive_storagedesc", guid: "-500000000000030" },
    });
    expect(Object.keys(entities.referredEntities).sort()).toEqual([
      "-500000000000010",
      "-500000000000011",
      "-500000000000012",
      "-500000000000030",
    ]);
    expect(entities.referredEntities["-500000000000030"]?.attributes).toMatchObject({
      serdeInfo: {
        typeName: "hive_serde",
        attributes: {
          serializationLib: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
          parameters: { "field.delim": "," },
        },
      },
      table: { typeName: "hive_table", guid: "-500000000000020" },
    });
  });

  it("a legacy bare body (no envelope, no user) decodes as not enveloped", () => {
    const { notification, envelope } = decode("v1/ENTITY_CREATE.hdfs_path.bare.json");
    expect(envelope).toEqual({ enveloped: false, compression: "NONE", splitCount: 1 });
    expect(notification).toMatchObject({
      type: "ENTITY_CREATE_V2",
      format: "V1",
      wireType: "ENTITY_CREATE",
    });
    expect(notification.user).toBeUndefined();
    const { entities } = narrow(notification, "ENTITY_CREATE_V2");
    expect(entities.entities[0]).toMatchObject({
      typeName: "hdfs_path",
      guid: "-500000000000040",
      attributes: { path: "hdfs://nn1:8020/tmp/export" },
    });
  });
});

describe("the project's compressed and split messages decode to the same notification as the original", () => {
  const original = () => decode("v2/ENTITY_CREATE_V2.hive_table.json");

  it("GZIP: base64 of the gzipped envelope; the envelope details come from inside", () => {
    const { notification, envelope } = decode("derived/ENTITY_CREATE_V2.hive_table.gzip.json");
    expect(notification).toEqual(original().notification);
    expect(envelope).toEqual({
      ...original().envelope,
      compression: "GZIP",
      msgId: "6a1f3e52-93c4-4d0b-8e21-7f5d2c9b0a14_0",
    });
  });

  it.each([
    ["split-gzip", 3, "GZIP"],
    ["split-plain", 4, "NONE"],
  ] as const)(
    "%s: every arrival order of the parts reassembles the message",
    (form, count, compression) => {
      const parts = Array.from({ length: count }, (_, i) =>
        message(`derived/ENTITY_CREATE_V2.hive_table.${form}.part${i}.json`),
      );
      const orders = permutations(parts.map((_, i) => i));
      expect(orders).toHaveLength(count === 4 ? 24 : 6);
      for (const order of orders) {
        const decoder = new HookDecoder<number>();
        const results = order.map((i) => decoder.decode(parts[i], i));
        expect(results.slice(0, -1).map((r) => r.status)).toEqual(Array(count - 1).fill("pending"));
        const last = results.at(-1);
        if (last?.status !== "complete")
          throw new Error(`order ${order.join(",")}: ${JSON.stringify(last)}`);
        expect(last.notification).toEqual(original().notification);
        expect(last.envelope).toMatchObject({
          compression,
          splitCount: count,
          msgCreationTime: 1_767_225_601_000,
        });
        expect(last.parts).toEqual(parts.map((_, i) => i));
      }
    },
  );

  it("a part missing leaves the message pending; a part sent twice is a duplicate", () => {
    const parts = [0, 1, 2].map((i) =>
      message(`derived/ENTITY_CREATE_V2.hive_table.split-gzip.part${i}.json`),
    );
    const decoder = new HookDecoder<number>();
    expect(decoder.decode(parts[0], 0)).toMatchObject({ status: "pending", received: 1, count: 3 });
    expect(decoder.decode(parts[0], 0)).toMatchObject({
      status: "duplicate",
      reason: "part_already_received",
    });
    expect(decoder.decode(parts[2], 2)).toMatchObject({ status: "pending", received: 2, count: 3 });
    expect(decoder.pendingSplits).toBe(1);
    // The bodies inside are plain V2: decoding the original's body directly agrees.
    const body = (
      JSON.parse(message("v2/ENTITY_CREATE_V2.hive_table.json")) as { message: unknown }
    ).message;
    expect(decodeBody(body)).toEqual(original().notification);
  });
});
