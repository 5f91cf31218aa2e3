/**
 * Classification propagation through the hook path (docs/contracts/model.md, "Classification
 * propagation"): a steward tags a Hive table and one of its columns over REST; the Hive hook
 * then reports a CREATE TABLE AS SELECT with column lineage, in the shapes of Atlas's Hive
 * hook (CreateHiveProcess); the new table and column show the tags with the source's
 * entityGuid — computed in the same transaction that applies the message. Both stores.
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
const uniq = (typeName: string, qualifiedName: string, relationshipType: string): Json => ({
  typeName,
  uniqueAttributes: { qualifiedName },
  relationshipType,
});
const tableQn = (t: string) => `sales.${t}@${CL}`;
const colQn = (t: string, c: string) => `sales.${t}.${c}@${CL}`;

let guidSeq = 5000;
const next = () => String(-++guidSeq);

const message = (type: string, body: Json): HookNotification =>
  decodeBody({ type, user: "hive", ...body });

/** A hive_table with its columns as referred entities, as the hook's getTableEntity builds it. */
function tableEntities(t: string, columns: string[]) {
  const table = next();
  const cols = columns.map((c, i) => ({
    typeName: "hive_column",
    guid: next(),
    attributes: { qualifiedName: colQn(t, c), name: c, type: "string", position: i },
    relationshipAttributes: {
      table: { guid: table, typeName: "hive_table", relationshipType: "hive_table_columns" },
    },
  }));
  const entity = {
    typeName: "hive_table",
    guid: table,
    attributes: { qualifiedName: tableQn(t), name: t, owner: "hive", tableType: "MANAGED_TABLE" },
    relationshipAttributes: {
      db: uniq("hive_db", `sales@${CL}`, "hive_table_db"),
      columns: cols.map((c) => ({
        guid: c.guid,
        typeName: "hive_column",
        relationshipType: "hive_table_columns",
      })),
    },
  };
  return { entity, referred: cols };
}

function createTable(t: string, columns: string[]) {
  const { entity, referred } = tableEntities(t, columns);
  return message("ENTITY_CREATE_V2", {
    entities: {
      entities: [entity],
      referredEntities: Object.fromEntries(referred.map((e) => [e.guid, e])),
    },
  });
}

/** CREATE TABLE `to` AS SELECT * FROM `from`: the new table, the process, its column lineage. */
function ctas(from: string, to: string, columns: string[]) {
  const created = tableEntities(to, columns);
  const qn = `QUERY:${tableQn(from)}->:ctas`;
  const process = {
    typeName: "hive_process",
    guid: next(),
    attributes: {
      qualifiedName: qn,
      name: qn,
      operationType: "CREATETABLE_AS_SELECT",
      queryText: `create table ${to} as select * from ${from}`,
      queryPlan: "Not Supported",
      queryId: `hive_${to}`,
      startTime: T0,
      endTime: T0 + 10,
      userName: "hive",
      clusterName: CL,
    },
    relationshipAttributes: {
      inputs: [uniq("hive_table", tableQn(from), "dataset_process_inputs")],
      outputs: [
        {
          guid: created.entity.guid,
          typeName: "hive_table",
          relationshipType: "process_dataset_outputs",
        },
      ],
    },
  };
  const lineages = columns.map((c) => ({
    typeName: "hive_column_lineage",
    guid: next(),
    attributes: { qualifiedName: `${qn}:${c}`, name: `${qn}:${c}`, depenendencyType: "SIMPLE" },
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
  return message("ENTITY_CREATE_V2", {
    entities: {
      entities: [created.entity, process, ...lineages],
      referredEntities: Object.fromEntries(created.referred.map((e) => [e.guid, e])),
    },
  });
}

describe.each<BackendName>(["sqlite", "postgres"])(
  "propagation through Hive hook messages on the %s store",
  (backend) => {
    const stores = storeFactory(backend, pg);

    it("tag the source table and a column; the CTAS target and its column show them, from the source", async () => {
      const { store } = await stores.fresh();
      await store.fence(1);
      await store.createTypedefs(
        1,
        {
          classificationDefs: [
            { name: "PII", superTypes: [], attributeDefs: [] },
            { name: "SSN", superTypes: [], attributeDefs: [] },
          ],
        },
        "steward",
      );
      let offset = 0;
      const apply = async (n: HookNotification) => {
        const position = { epoch: 1, topic: "ATLAS_HOOK", partition: 0, offset: String(offset++) };
        expect((await applyNotification(store, n, position)).applied).toBe(true);
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
      await apply(createTable("customers", ["id", "ssn"]));
      const guid = async (typeName: string, qn: string) =>
        (await store.getByUniqueAttribute(typeName, qn))!.entity.guid;
      const customers = await guid("hive_table", tableQn("customers"));
      const ssn = await guid("hive_column", colQn("customers", "ssn"));
      const tag = (g: string, typeName: string) =>
        store.editEntities(
          1,
          [{ guid: g, typeName: "" }],
          { op: "addClassifications", classifications: [{ typeName, propagate: true }] },
          "steward",
        );
      await tag(customers, "PII");
      await tag(ssn, "SSN");

      await apply(ctas("customers", "customers_copy", ["id", "ssn"]));

      const shown = async (store: MetadataStore, typeName: string, qn: string) =>
        (await store.getByUniqueAttribute(typeName, qn))!.entity.classifications.map(
          (c) => `${c.typeName}<-${String(c.entityGuid)}`,
        );
      expect(await shown(store, "hive_table", tableQn("customers_copy"))).toEqual([
        `PII<-${customers}`,
      ]);
      expect(await shown(store, "hive_process", `QUERY:${tableQn("customers")}->:ctas`)).toEqual([
        `PII<-${customers}`,
      ]);
      expect(await shown(store, "hive_column", colQn("customers_copy", "ssn"))).toEqual([
        `SSN<-${ssn}`,
      ]);
      // Column tags follow column lineage only; hive_table_columns does not propagate.
      expect(await shown(store, "hive_column", colQn("customers_copy", "id"))).toEqual([]);

      // Removing the tag at the source removes it downstream.
      await store.editEntities(
        1,
        [{ guid: customers, typeName: "" }],
        { op: "removeClassification", name: "PII" },
        "steward",
      );
      expect(await shown(store, "hive_table", tableQn("customers_copy"))).toEqual([]);

      // A classification a hook message sends without propagate does not propagate (Atlas's
      // default while it processes notifications).
      const tagged = createTable("vendors", ["id"]);
      const body = tagged as unknown as { entities: { entities: Json[] } };
      body.entities.entities[0]!.classifications = [{ typeName: "PII" }];
      await apply(tagged);
      await apply(ctas("vendors", "vendors_copy", ["id"]));
      const vendors = (await store.getByUniqueAttribute("hive_table", tableQn("vendors")))!.entity;
      expect(vendors.classifications).toEqual([
        expect.objectContaining({ typeName: "PII", propagate: false }),
      ]);
      expect(await shown(store, "hive_table", tableQn("vendors_copy"))).toEqual([]);
    });
  },
);
