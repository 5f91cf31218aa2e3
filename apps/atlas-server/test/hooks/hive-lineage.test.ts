/**
 * A Hive session as Atlas's Hive hook reports it (shapes after its events: CreateTable,
 * CreateHiveProcess with column lineage, AlterTableRename, AlterTable REPLACE COLUMNS,
 * DropTable), applied through the hook path on both stores, and the lineage Atlas would show
 * afterwards — on HDFS and on S3 locations (docs/contracts/model.md, docs/contracts/hooks.md).
 */
import { decodeBody, type HookNotification } from "@atlas-ha/hook-consumer";
import { usePostgres } from "@atlas-ha/testkit/vitest";
import { describe, expect, it } from "vitest";
import { applyNotification } from "../../src/hooks/apply.js";
import type { MetadataStore } from "../../src/store/types.js";
import { storeFactory, type BackendName } from "../store/helpers.js";

const pg = usePostgres();
const CL = "prod";
const T0 = 1_767_225_600_000;

type Json = Record<string, unknown>;
const uniq = (typeName: string, qualifiedName: string, relationshipType?: string): Json => ({
  typeName,
  uniqueAttributes: { qualifiedName },
  ...(relationshipType ? { relationshipType } : {}),
});
const tableQn = (t: string) => `sales.${t}@${CL}`;
const colQn = (t: string, c: string) => `sales.${t}.${c}@${CL}`;

let guidSeq = 1000;
const next = () => String(-++guidSeq);

/** A hive_table with columns and storage descriptor, as the hook's getTableEntity builds it. */
function tableEntities(t: string, columns: string[], location: string) {
  const table = next();
  const cols = columns.map((c, i) => ({
    typeName: "hive_column",
    guid: next(),
    attributes: { qualifiedName: colQn(t, c), name: c, type: "string", position: i, owner: "hive" },
    relationshipAttributes: {
      table: { guid: table, typeName: "hive_table", relationshipType: "hive_table_columns" },
    },
  }));
  const sd = {
    typeName: "hive_storagedesc",
    guid: next(),
    attributes: { qualifiedName: `${tableQn(t)}_storage`, location, compressed: false },
    relationshipAttributes: {
      table: { guid: table, typeName: "hive_table", relationshipType: "hive_table_storagedesc" },
    },
  };
  const entity = {
    typeName: "hive_table",
    guid: table,
    attributes: { qualifiedName: tableQn(t), name: t, owner: "hive", tableType: "EXTERNAL_TABLE" },
    relationshipAttributes: {
      db: uniq("hive_db", `sales@${CL}`, "hive_table_db"),
      columns: cols.map((c) => ({
        guid: c.guid,
        typeName: "hive_column",
        relationshipType: "hive_table_columns",
      })),
      sd: {
        guid: sd.guid,
        typeName: "hive_storagedesc",
        relationshipType: "hive_table_storagedesc",
      },
      partitionKeys: [],
    },
  };
  return { entity, referred: [...cols, sd] };
}

const message = (type: string, body: Json): HookNotification =>
  decodeBody({ type, user: "hive", ...body });

function createTable(
  t: string,
  columns: string[],
  location: {
    typeName: string;
    qualifiedName: string;
    attributes: Json;
    relationshipAttributes?: Json;
  },
) {
  const { entity, referred } = tableEntities(t, columns, location.qualifiedName);
  const path = {
    typeName: location.typeName,
    guid: next(),
    attributes: { qualifiedName: location.qualifiedName, ...location.attributes },
    ...("relationshipAttributes" in location
      ? { relationshipAttributes: location.relationshipAttributes }
      : {}),
  };
  const process = {
    typeName: "hive_process",
    guid: next(),
    attributes: {
      qualifiedName: `${tableQn(t)}:${T0}`,
      name: `${tableQn(t)}:${T0}`,
      operationType: "CREATETABLE",
      queryText: `create external table ${t} location '${location.qualifiedName}'`,
      startTime: T0,
      endTime: T0 + 10,
      userName: "hive",
      clusterName: CL,
      // Mandatory in Atlas's hive_process; the hook sends these.
      queryPlan: "Not Supported",
      queryId: `hive_${T0}`,
    },
    relationshipAttributes: {
      inputs: [
        {
          guid: path.guid,
          typeName: location.typeName,
          relationshipType: "dataset_process_inputs",
        },
      ],
      outputs: [
        { guid: entity.guid, typeName: "hive_table", relationshipType: "process_dataset_outputs" },
      ],
    },
  };
  return message("ENTITY_CREATE_V2", {
    entities: {
      entities: [entity, process],
      referredEntities: Object.fromEntries([...referred, path].map((e) => [e.guid, e])),
    },
  });
}

/** CREATE TABLE … AS SELECT / INSERT … SELECT: a QUERY process with its column lineage. */
function query(name: string, from: string, to: string, columns: string[], create?: string[]) {
  const created = create
    ? tableEntities(to, create, `hdfs://nn/warehouse/sales.db/${to}`)
    : undefined;
  const process = {
    typeName: "hive_process",
    guid: next(),
    attributes: {
      qualifiedName: `QUERY:${tableQn(from)}->:${name}`,
      name: `QUERY:${tableQn(from)}->:${name}`,
      operationType: create ? "CREATETABLE_AS_SELECT" : "QUERY",
      queryText: create
        ? `create table ${to} as select * from ${from}`
        : `insert into ${to} select * from ${from}`,
      startTime: T0 + 100,
      endTime: T0 + 200,
      userName: "hive",
      clusterName: CL,
      queryPlan: "Not Supported",
      queryId: `hive_${T0 + 100}`,
    },
    relationshipAttributes: {
      inputs: [uniq("hive_table", tableQn(from), "dataset_process_inputs")],
      outputs: [
        created
          ? {
              guid: created.entity.guid,
              typeName: "hive_table",
              relationshipType: "process_dataset_outputs",
            }
          : uniq("hive_table", tableQn(to), "process_dataset_outputs"),
      ],
    },
  };
  const lineages = columns.map((c) => ({
    typeName: "hive_column_lineage",
    guid: next(),
    attributes: {
      qualifiedName: `${process.attributes.qualifiedName}:${c}`,
      name: `${process.attributes.qualifiedName}:${c}`,
      depenendencyType: "SIMPLE",
      expression: null,
    },
    relationshipAttributes: {
      inputs: [uniq("hive_column", colQn(from, c), "dataset_process_inputs")],
      outputs: [uniq("hive_column", colQn(to, c), "process_dataset_outputs")],
      query: {
        guid: process.guid,
        typeName: "hive_process",
        relationshipType: "hive_process_column_lineage",
      },
    },
  }));
  const execution = {
    typeName: "hive_process_execution",
    guid: next(),
    attributes: {
      qualifiedName: `${process.attributes.qualifiedName}:${T0 + 100}:${T0 + 200}`,
      name: `${process.attributes.qualifiedName}:${T0 + 100}:${T0 + 200}`,
      queryText: process.attributes.queryText,
      startTime: T0 + 100,
      endTime: T0 + 200,
      userName: "hive",
      hostName: "hs2",
      queryPlan: "Not Supported",
      queryId: `hive_${T0 + 100}`,
    },
    relationshipAttributes: {
      process: {
        guid: process.guid,
        typeName: "hive_process",
        relationshipType: "hive_process_process_executions",
      },
    },
  };
  const entities = [...(created ? [created.entity] : []), process, ...lineages, execution];
  return message("ENTITY_CREATE_V2", {
    entities: {
      entities,
      referredEntities: Object.fromEntries((created?.referred ?? []).map((e) => [e.guid, e])),
    },
  });
}

describe.each<BackendName>(["sqlite", "postgres"])(
  "a Hive session through the hook path on the %s store",
  (backend) => {
    const stores = storeFactory(backend, pg);

    async function session(
      location: (t: string) => { typeName: string; qualifiedName: string; attributes: Json },
    ) {
      const { store } = await stores.fresh();
      await store.fence(1);
      let offset = 0;
      const apply = async (n: HookNotification) => {
        const result = await applyNotification(store, n, {
          epoch: 1,
          topic: "ATLAS_HOOK",
          partition: 0,
          offset: String(offset++),
        });
        expect(result.applied).toBe(true);
      };
      await apply(
        message("ENTITY_CREATE_V2", {
          entities: {
            entities: [
              {
                typeName: "hive_db",
                guid: "-1",
                attributes: { qualifiedName: `sales@${CL}`, name: "sales", clusterName: CL },
              },
            ],
            referredEntities: {},
          },
        }),
      );
      await apply(createTable("raw", ["id", "amount"], location("raw")));
      await apply(query("ctas", "raw", "clean", ["id", "amount"], ["id", "amount"]));
      await apply(createTable("report", ["id", "amount"], location("report")));
      await apply(query("insert", "clean", "report", ["id", "amount"]));
      return { store, apply };
    }

    const guid = async (store: MetadataStore, typeName: string, qn: string) =>
      (await store.getByUniqueAttribute(typeName, qn))!.entity.guid;
    const names = async (
      store: MetadataStore,
      info: { guidEntityMap: Record<string, { attributes: Json; typeName: string }> },
    ) =>
      Object.values(info.guidEntityMap)
        .map((h) => `${h.typeName}:${String(h.attributes.qualifiedName)}`)
        .sort();

    for (const [where, location] of [
      [
        "HDFS",
        (t: string) => ({
          typeName: "hdfs_path",
          qualifiedName: `hdfs://nn/data/${t}`,
          attributes: { name: `/data/${t}`, path: `hdfs://nn/data/${t}`, clusterName: CL },
        }),
      ],
      [
        "S3",
        (t: string) => ({
          typeName: "aws_s3_v2_directory",
          qualifiedName: `s3a://lake/data/${t}/@${CL}`,
          attributes: { name: `/data/${t}/`, objectPrefix: `/data/${t}/` },
          // Its bucket: mandatory (the contained end of a COMPOSITION), as the hook sends it.
          relationshipAttributes: {
            container: {
              ...uniq("aws_s3_v2_bucket", `s3a://lake@${CL}`),
              relationshipType: "aws_s3_v2_container_contained",
            },
          },
        }),
      ],
    ] as const) {
      it(`table and column lineage from ${where} through CTAS and INSERT, as Atlas shows it`, async () => {
        const { store } = await session(location);
        const report = await guid(store, "hive_table", tableQn("report"));
        const up = (await store.lineage(report, { direction: "INPUT", depth: 0 }))!;
        const nodes = await names(store, up);
        expect(nodes.filter((n) => n.startsWith("hive_table:"))).toEqual([
          `hive_table:${tableQn("clean")}`,
          `hive_table:${tableQn("raw")}`,
          `hive_table:${tableQn("report")}`,
        ]);
        // The external locations feed the tables created on them.
        expect(nodes.filter((n) => n.startsWith(`${location("raw").typeName}:`))).toEqual(
          [location("raw").qualifiedName, location("report").qualifiedName]
            .map((q) => `${location("raw").typeName}:${q}`)
            .sort(),
        );
        // Column lineage: report.amount ← clean.amount ← raw.amount, through hive_column_lineage.
        const amount = await guid(store, "hive_column", colQn("report", "amount"));
        const columns = (await store.lineage(amount, { direction: "INPUT", depth: 0 }))!;
        expect(await names(store, columns)).toEqual([
          `hive_column:${colQn("clean", "amount")}`,
          `hive_column:${colQn("raw", "amount")}`,
          `hive_column:${colQn("report", "amount")}`,
          `hive_column_lineage:QUERY:${tableQn("clean")}->:insert:amount`,
          `hive_column_lineage:QUERY:${tableQn("raw")}->:ctas:amount`,
        ]);
        // The process shows its executions and column lineages from their side.
        const ctas = (await store.getByUniqueAttribute(
          "hive_process",
          `QUERY:${tableQn("raw")}->:ctas`,
        ))!.entity;
        expect(ctas.relationshipAttributes.processExecutions).toHaveLength(1);
        expect(ctas.relationshipAttributes.columnLineages).toHaveLength(2);
      });
    }

    it("ALTER TABLE RENAME keeps lineage; REPLACE COLUMNS deletes the dropped columns; DROP TABLE cascades and leaves lineage", async () => {
      const { store, apply } = await session((t) => ({
        typeName: "hdfs_path",
        qualifiedName: `hdfs://nn/data/${t}`,
        attributes: { name: t, path: `hdfs://nn/data/${t}` },
      }));
      const cleanGuid = await guid(store, "hive_table", tableQn("clean"));
      // AlterTableRename: a partial update of the table's qualifiedName and name.
      await apply(
        message("ENTITY_PARTIAL_UPDATE_V2", {
          entityId: {
            typeName: "hive_table",
            uniqueAttributes: { qualifiedName: tableQn("clean") },
          },
          entity: {
            entity: {
              typeName: "hive_table",
              attributes: { qualifiedName: tableQn("cleaned"), name: "cleaned" },
            },
            referredEntities: {},
          },
        }),
      );
      expect(await guid(store, "hive_table", tableQn("cleaned"))).toBe(cleanGuid);
      const report = await guid(store, "hive_table", tableQn("report"));
      const up = (await store.lineage(report, { direction: "INPUT", depth: 1 }))!;
      expect(Object.keys(up.guidEntityMap)).toContain(cleanGuid);

      // ALTER TABLE report REPLACE COLUMNS (id): a full update whose columns list drops amount.
      const { entity, referred } = tableEntities("report", ["id"], "hdfs://nn/data/report");
      await apply(
        message("ENTITY_FULL_UPDATE_V2", {
          entities: {
            entities: [entity],
            referredEntities: Object.fromEntries(referred.map((e) => [e.guid, e])),
          },
        }),
      );
      const amount = (
        await store.searchBasic({ typeName: "hive_column", query: colQn("report", "amount") })
      ).entities[0]!;
      expect(amount.status).toBe("DELETED");
      const columns = (await store.getByGuid(report))!.entity.relationshipAttributes.columns as {
        relationshipStatus: string;
      }[];
      expect(columns.filter((c) => c.relationshipStatus === "ACTIVE")).toHaveLength(1);

      // DROP TABLE report: only the table is named; columns and storage descriptor go with it.
      await apply(
        message("ENTITY_DELETE_V2", {
          entities: [
            { typeName: "hive_table", uniqueAttributes: { qualifiedName: tableQn("report") } },
          ],
        }),
      );
      const gone = (await store.getByGuid(report))!;
      expect(gone.entity.status).toBe("DELETED");
      for (const child of Object.values(gone.referredEntities))
        expect(child.status).toBe("DELETED");
      expect(Object.values(gone.referredEntities).map((e) => e.typeName)).toContain(
        "hive_storagedesc",
      );
      // The dropped table leaves the lineage; asked for, it is there, deleted.
      const down = (await store.lineage(cleanGuid, { direction: "OUTPUT", depth: 0 }))!;
      expect(Object.keys(down.guidEntityMap)).not.toContain(report);
      const withDeleted = (await store.lineage(cleanGuid, {
        direction: "OUTPUT",
        depth: 0,
        includeDeleted: true,
      }))!;
      expect(withDeleted.guidEntityMap[report]).toMatchObject({ status: "DELETED" });
    });
  },
);
