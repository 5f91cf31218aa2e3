/**
 * Lineage as Atlas computes it (docs/contracts/model.md): the graph of `Process.inputs` and
 * `Process.outputs` relationships, walked from a DataSet (or a Process) up (INPUT), down
 * (OUTPUT) or both, `depth` dataset-to-dataset hops (0: as deep as the bounds allow). Walked
 * in the store, one level at a time with a few set-at-a-time queries per level, so a deep
 * graph costs a handful of round trips per hop, not one per edge.
 */
import { toHeader, type EntityRecord } from "./entities.js";
import { withReceivedNames } from "./propagation.js";
import { StoreLineageTypeError } from "./errors.js";
import type { RelationshipRecord } from "./relationships.js";
import type { SqlTx } from "./sql.js";
import type { AtlasEntityHeader } from "./types.js";
import type { LineageEdgeType, TypeRegistry } from "./typesystem.js";

export type LineageDirection = "INPUT" | "OUTPUT" | "BOTH";

export interface LineageOptions {
  direction: LineageDirection;
  /** Dataset-to-dataset hops; 0 or less: unbounded (up to MAX_LINEAGE_DEPTH). */
  depth: number;
  /** Include DELETED entities and relationships; default false. */
  includeDeleted?: boolean;
}

export interface LineageRelation {
  fromEntityId: string;
  toEntityId: string;
  relationshipId: string;
}

/** Atlas's AtlasLineageInfo. */
export interface AtlasLineageInfo {
  baseEntityGuid: string;
  lineageDirection: LineageDirection;
  lineageDepth: number;
  guidEntityMap: Record<string, AtlasEntityHeader>;
  relations: LineageRelation[];
}

/** Bounds of one walk: hops when unbounded, and entities in one answer. */
export const MAX_LINEAGE_DEPTH = 100;
export const MAX_LINEAGE_ENTITIES = 20_000;

type Kind = LineageEdgeType["kind"];

class Walk {
  readonly relations = new Map<string, LineageRelation>();
  readonly entities = new Map<string, EntityRecord>();
  readonly #tx: SqlTx;
  readonly #edges: readonly LineageEdgeType[];
  readonly #includeDeleted: boolean;

  constructor(tx: SqlTx, edges: readonly LineageEdgeType[], includeDeleted: boolean) {
    this.#tx = tx;
    this.#edges = edges;
    this.#includeDeleted = includeDeleted;
  }

  /**
   * From datasets: the processes that write them (INPUT) or read them (OUTPUT), then those
   * processes' other datasets — one hop; repeated `depth` times.
   */
  async fromDatasets(start: string[], input: boolean, depth: number): Promise<void> {
    const visited = new Set(start);
    let frontier = start;
    for (let hop = 0; frontier.length > 0 && hop < depth; hop++) {
      if (this.entities.size >= MAX_LINEAGE_ENTITIES) break;
      const toProcess = await this.#step(frontier, input ? "outputs" : "inputs", "dataset");
      const processes = [...new Set(toProcess.map((e) => e.process))];
      const fromProcess = await this.#step(processes, input ? "inputs" : "outputs", "process");
      const next: string[] = [];
      const fed = new Set(fromProcess.map((e) => e.process));
      for (const e of toProcess) if (fed.has(e.process)) this.#add(e);
      for (const e of fromProcess) {
        this.#add(e);
        if (!visited.has(e.dataset)) {
          visited.add(e.dataset);
          next.push(e.dataset);
        }
      }
      frontier = next;
    }
  }

  /** From a process: its own inputs (INPUT) or outputs (OUTPUT), then on from those datasets. */
  async fromProcess(process: string, input: boolean, depth: number): Promise<void> {
    const edges = await this.#step([process], input ? "inputs" : "outputs", "process");
    for (const e of edges) this.#add(e);
    await this.fromDatasets([...new Set(edges.map((e) => e.dataset))], input, depth - 1);
  }

  #add(edge: Edge): void {
    const r = edge.relationship;
    if (this.relations.has(r.guid)) return;
    this.relations.set(r.guid, {
      fromEntityId: edge.kind === "inputs" ? edge.dataset : edge.process,
      toEntityId: edge.kind === "inputs" ? edge.process : edge.dataset,
      relationshipId: r.guid,
    });
  }

  /** The lineage edges of `kind` with the `side` end among `guids`, both ends loaded and live. */
  async #step(guids: string[], kind: Kind, side: "process" | "dataset"): Promise<Edge[]> {
    const edges: Edge[] = [];
    for (const processEnd of [1, 2] as const) {
      const types = this.#edges
        .filter((t) => t.kind === kind && t.processEnd === processEnd)
        .map((t) => t.relationshipType);
      if (types.length === 0) continue;
      const at = side === "process" ? processEnd : processEnd === 1 ? 2 : 1;
      const found = await this.#tx.relationshipsOf(guids, at, {
        types,
        activeOnly: !this.#includeDeleted,
      });
      for (const r of found) {
        const process = processEnd === 1 ? r.end1Guid : r.end2Guid;
        const dataset = processEnd === 1 ? r.end2Guid : r.end1Guid;
        edges.push({ relationship: r, kind, process, dataset });
      }
    }
    const unknown = [...new Set(edges.flatMap((e) => [e.process, e.dataset]))].filter(
      (g) => !this.entities.has(g),
    );
    for (const record of await this.#tx.entities(unknown)) this.entities.set(record.guid, record);
    return edges.filter((e) => this.#live(e.process) && this.#live(e.dataset));
  }

  #live(guid: string): boolean {
    const record = this.entities.get(guid);
    return record !== undefined && (this.#includeDeleted || record.status === "ACTIVE");
  }
}

interface Edge {
  relationship: RelationshipRecord;
  kind: Kind;
  process: string;
  dataset: string;
}

export async function lineage(
  tx: SqlTx,
  types: TypeRegistry,
  base: EntityRecord,
  options: LineageOptions,
): Promise<AtlasLineageInfo> {
  const isDataSet = types.isA(base.typeName, "DataSet");
  if (!isDataSet && !types.isA(base.typeName, "Process"))
    throw new StoreLineageTypeError(base.guid, base.typeName);
  const depth = options.depth > 0 ? Math.min(options.depth, MAX_LINEAGE_DEPTH) : MAX_LINEAGE_DEPTH;
  const walk = new Walk(tx, types.lineageEdgeTypes(), options.includeDeleted === true);
  for (const input of [true, false]) {
    if (options.direction === (input ? "OUTPUT" : "INPUT")) continue;
    if (isDataSet) await walk.fromDatasets([base.guid], input, depth);
    else await walk.fromProcess(base.guid, input, depth);
  }
  const guidEntityMap: Record<string, AtlasEntityHeader> = {};
  const relations = [...walk.relations.values()];
  for (const r of relations) {
    for (const guid of [r.fromEntityId, r.toEntityId]) {
      const record = walk.entities.get(guid);
      if (record && !(guid in guidEntityMap)) guidEntityMap[guid] = toHeader(record);
    }
  }
  await withReceivedNames(tx, Object.values(guidEntityMap));
  return {
    baseEntityGuid: base.guid,
    lineageDirection: options.direction,
    lineageDepth: options.depth,
    guidEntityMap,
    relations,
  };
}
