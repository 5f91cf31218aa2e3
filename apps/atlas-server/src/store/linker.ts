/**
 * The relationships side of an entity write (docs/contracts/model.md): a relationship
 * attribute's value becomes the set of ACTIVE relationships at that end — the missing ones
 * created, the dropped ones deleted, a dropped child of a COMPOSITION container deleted with
 * its relationship, and a child moved from another single-valued parent. Either end may be
 * the one that was sent: `hive_column.table` and `hive_table.columns` make the same
 * relationship. Records are changed in memory; flush() writes what differs from what was loaded.
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import { createdMarks, touch, type EntityRecord } from "./entities.js";
import { StoreInvalidEntityError } from "./errors.js";
import { endGuid, relationshipContent, type RelationshipRecord } from "./relationships.js";
import type { MutationContext } from "./mutation.js";
import type { RelationshipEnd } from "./typesystem.js";

/** What the Linker asks of the Mutation it serves. */
export interface LinkerEntities {
  /** An entity of this mutation (loaded or created), by guid. */
  load(guid: string): Promise<EntityRecord | undefined>;
  /** Soft-deletes an entity, with what it owns (called for dropped COMPOSITION children). */
  deleteEntity(record: EntityRecord): Promise<void>;
}

/** A reference in a relationship attribute, resolved to a real entity. */
export interface LinkTarget {
  guid: string;
  relationshipType?: string;
}

const otherSide = (end: 1 | 2): 1 | 2 => (end === 1 ? 2 : 1);

export class Linker {
  readonly #c: MutationContext;
  readonly #entities: LinkerEntities;
  readonly #records = new Map<string, RelationshipRecord>();
  /** Content of loaded rows as loaded; a row absent here was created by this write. */
  readonly #loaded = new Map<string, string>();
  /** Entity guid → guids of its relationships (ACTIVE when loaded, plus the ones created since). */
  readonly #byEntity = new Map<string, Set<string>>();
  #created = 0;

  constructor(context: MutationContext, entities: LinkerEntities) {
    this.#c = context;
    this.#entities = entities;
  }

  /** The ACTIVE relationships of an entity as they stand in this write. */
  async of(guid: string): Promise<RelationshipRecord[]> {
    let set = this.#byEntity.get(guid);
    if (!set) {
      set = new Set();
      this.#byEntity.set(guid, set);
      for (const row of await this.#c.tx.relationshipsOf([guid], "any", { activeOnly: true })) {
        const known = this.#records.get(row.guid);
        if (!known) {
          this.#records.set(row.guid, row);
          this.#loaded.set(row.guid, relationshipContent(row));
        }
        set.add(row.guid);
      }
    }
    return [...set].map((g) => this.#records.get(g)!).filter((r) => r.status === "ACTIVE");
  }

  /** Makes the ACTIVE relationships of `record`'s attribute `name` exactly `targets`. */
  async set(record: EntityRecord, name: string, targets: LinkTarget[]): Promise<void> {
    const info = this.#c.types.entityType(record.typeName);
    const ends = info.relationshipAttributes.get(name) ?? [];
    const current = (await this.of(record.guid)).filter((r) =>
      ends.some((e) => e.relationshipType === r.typeName && endGuid(r, e.end) === record.guid),
    );
    const kept = new Set<string>();
    for (const target of targets) {
      const other = await this.#entities.load(target.guid);
      if (!other) continue; // resolved before; cannot happen
      const end = this.#pick(record, name, ends, other, target.relationshipType);
      const found = current.find(
        (r) =>
          r.typeName === end.relationshipType &&
          endGuid(r, end.end) === record.guid &&
          endGuid(r, otherSide(end.end)) === other.guid,
      );
      if (found) {
        kept.add(found.guid);
        continue;
      }
      // The other end holds one relationship of this type: it moves here (a column to another table).
      if (end.otherCardinality === "SINGLE") {
        for (const r of await this.of(other.guid)) {
          if (r.typeName === end.relationshipType && endGuid(r, otherSide(end.end)) === other.guid)
            this.#delete(r);
        }
      }
      const created = await this.#create(end, record, other);
      current.push(created);
      kept.add(created.guid);
    }
    for (const r of current) {
      if (kept.has(r.guid) || r.status !== "ACTIVE") continue;
      this.#delete(r);
      const end = ends.find((e) => e.relationshipType === r.typeName)!;
      if (end.isContainer) {
        const child = await this.#entities.load(endGuid(r, otherSide(end.end)));
        if (child) await this.#entities.deleteEntity(child);
      }
    }
  }

  /**
   * Deletes every ACTIVE relationship of a deleted entity; returns the entities it contained
   * (the other ends where it is a COMPOSITION container), which are deleted with it.
   */
  async detach(record: EntityRecord): Promise<EntityRecord[]> {
    const owned: EntityRecord[] = [];
    for (const r of await this.of(record.guid)) {
      this.#delete(r);
      const def = this.#c.types.relationshipDef(r.typeName);
      if (def?.relationshipCategory !== "COMPOSITION") continue;
      for (const side of [1, 2] as const) {
        const end = side === 1 ? def.endDef1 : def.endDef2;
        if (end.isContainer && endGuid(r, side) === record.guid) {
          const child = await this.#entities.load(endGuid(r, otherSide(side)));
          if (child && child.guid !== record.guid) owned.push(child);
        }
      }
    }
    return owned;
  }

  /** The ACTIVE relationships this write created (for propagation, after flush). */
  created(): RelationshipRecord[] {
    return [...this.#records.values()].filter(
      (r) => !this.#loaded.has(r.guid) && r.status === "ACTIVE",
    );
  }

  /** Writes the relationships that changed; returns how many. */
  async flush(): Promise<number> {
    let changed = 0;
    for (const r of this.#records.values()) {
      const loaded = this.#loaded.get(r.guid);
      if (loaded === undefined) {
        await this.#c.tx.insertRelationship(r);
      } else if (loaded !== relationshipContent(r)) {
        touch(r, this.#c);
        await this.#c.tx.updateRelationship(r);
      } else {
        continue;
      }
      changed += 1;
    }
    return changed;
  }

  #pick(
    record: EntityRecord,
    name: string,
    ends: RelationshipEnd[],
    other: EntityRecord,
    relationshipType: string | undefined,
  ): RelationshipEnd {
    const fits = ends.filter((e) => this.#c.types.isA(other.typeName, e.otherType));
    const end =
      (relationshipType === undefined
        ? undefined
        : fits.find((e) => e.relationshipType === relationshipType)) ?? fits[0];
    if (end) return end;
    const expected = [...new Set(ends.map((e) => e.otherType))].join(" or ");
    throw new StoreInvalidEntityError(
      `Invalid entity-type for relationship attribute ‘${name}’ of ${record.typeName}: entity specified ` +
        `(guid=${other.guid}) is of type ‘${other.typeName}’, but expected type is ‘${expected}’`,
      ATLAS_ERRORS.INVALID_RELATIONSHIP_END.code,
    );
  }

  async #create(
    end: RelationshipEnd,
    record: EntityRecord,
    other: EntityRecord,
  ): Promise<RelationshipRecord> {
    await this.of(other.guid); // loaded first, so the new row joins a complete set
    const relationship: RelationshipRecord = {
      guid: this.#c.newGuid(),
      typeName: end.relationshipType,
      status: "ACTIVE",
      end1Guid: end.end === 1 ? record.guid : other.guid,
      end2Guid: end.end === 1 ? other.guid : record.guid,
      attributes: {},
      ...createdMarks(this.#c),
      createOrd: this.#created++,
    };
    this.#records.set(relationship.guid, relationship);
    this.#byEntity.get(record.guid)?.add(relationship.guid);
    this.#byEntity.get(other.guid)?.add(relationship.guid);
    return relationship;
  }

  #delete(relationship: RelationshipRecord): void {
    relationship.status = "DELETED";
  }
}
