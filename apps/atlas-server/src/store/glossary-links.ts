/**
 * What the glossary writes share: the write context, checks of the objects a request names
 * (names, texts, headers), glossary entities created and changed in place, and relationships
 * made, re-attributed or dropped — all inside the store's one fenced write transaction.
 */
import type { JsonValue } from "@atlas-ha/atlas-model";
import { createdMarks, isObject, touch, type EntityRecord } from "./entities.js";
import { StoreRelationshipExistsError } from "./errors.js";
import { StoreGlossaryExistsError, StoreGlossaryInvalidError } from "./glossary-errors.js";
import { type GlossaryType, type Json } from "./glossary-read.js";
import { Mutation, type MutationContext } from "./mutation.js";
import type { RelationshipRecord } from "./relationships.js";

/** Atlas's GlossaryService.isNameInvalid: these characters would break derived qualifiedNames. */
const INVALID_NAME = /[@.<>]/;
/** Ours, not Atlas's: a name (and so a qualifiedName) longer than this is refused with a 400. */
export const MAX_NAME_LENGTH = 1024;
const RELATION_STATUSES = new Set(["DRAFT", "ACTIVE", "DEPRECATED", "OBSOLETE", "OTHER"]);

export class GlossaryWrite {
  readonly c: MutationContext;
  /** Changed rows, for the write log. */
  changed = 0;
  #ord = 0;

  constructor(context: MutationContext) {
    this.c = context;
  }

  /** A new ACTIVE entity of a glossary type with these attributes. */
  async createObject(typeName: GlossaryType, given: Json): Promise<EntityRecord> {
    const attributes: Json = {};
    for (const [k, v] of Object.entries(given)) if (v !== null) attributes[k] = v;
    const record: EntityRecord = {
      typeName,
      guid: this.c.newGuid(),
      status: "ACTIVE",
      isIncomplete: false,
      ...createdMarks(this.c),
      attributes,
      relationshipAttributes: {},
      classifications: [],
      labels: [],
      customAttributes: {},
      businessAttributes: {},
      qualifiedName: attributes.qualifiedName as string,
      name: attributes.name as string,
    };
    await this.c.tx.insertEntity(record, this.#ord++);
    this.changed++;
    return record;
  }

  /** Sets attributes of a glossary object (a null clears one); writes only when something changed. */
  async updateObject(record: EntityRecord, attributes: Json): Promise<void> {
    const next = { ...record.attributes, ...attributes };
    for (const [k, v] of Object.entries(next)) if (v === null) delete next[k];
    if (JSON.stringify(next) === JSON.stringify(record.attributes)) return;
    record.attributes = next;
    record.qualifiedName = (next.qualifiedName as string | undefined) ?? null;
    record.name = (next.name as string | undefined) ?? null;
    touch(record, this.c);
    await this.c.tx.updateEntity(record);
    this.changed++;
  }

  /** Refuses a qualifiedName another ACTIVE object of the type has (409, Atlas's code for the kind). */
  async checkUnique(typeName: GlossaryType, qualifiedName: string, self?: string): Promise<void> {
    const found = await this.c.tx.activeByUnique([typeName], qualifiedName);
    if (!found || found.guid === self) return;
    const kind =
      typeName === "AtlasGlossary"
        ? "glossary"
        : typeName === "AtlasGlossaryTerm"
          ? "term"
          : "category";
    throw new StoreGlossaryExistsError(kind, qualifiedName);
  }

  /** A new ACTIVE relationship; one of that type between the two exists already: 409 (as Atlas). */
  async link(
    typeName: string,
    end1: string,
    end2: string,
    attributes: Json = {},
  ): Promise<RelationshipRecord> {
    // Looked up from end 2: the term, child or entity, whose side is small where end 1 (a
    // glossary with thousands of terms) is not.
    const existing = await this.c.tx.relationshipsOf([end2], 2, {
      types: [typeName],
      activeOnly: true,
    });
    if (existing.some((r) => r.end1Guid === end1))
      throw new StoreRelationshipExistsError(typeName, end1, end2);
    const record: RelationshipRecord = {
      guid: this.c.newGuid(),
      typeName,
      status: "ACTIVE",
      end1Guid: end1,
      end2Guid: end2,
      attributes,
      ...createdMarks(this.c),
      createOrd: this.#ord++,
    };
    await this.c.tx.insertRelationship(record);
    this.changed++;
    return record;
  }

  async unlink(r: RelationshipRecord): Promise<void> {
    if (r.status !== "ACTIVE") return;
    r.status = "DELETED";
    touch(r, this.c);
    await this.c.tx.updateRelationship(r);
    this.changed++;
  }

  /** Replaces a relationship's attributes when they differ. */
  async reattribute(r: RelationshipRecord, attributes: Json): Promise<void> {
    if (JSON.stringify(r.attributes) === JSON.stringify(attributes)) return;
    r.attributes = attributes;
    touch(r, this.c);
    await this.c.tx.updateRelationship(r);
    this.changed++;
  }

  /** Soft-deletes an entity as an entity DELETE does: its relationships, and what it owns (COMPOSITION). */
  async deleteObject(record: EntityRecord): Promise<void> {
    const mutation = new Mutation(this.c);
    await mutation.delete({ guid: record.guid, typeName: record.typeName }, "error");
    this.changed += await mutation.flushChanges();
  }
}

export function invalid(
  reason: ConstructorParameters<typeof StoreGlossaryInvalidError>[0],
  message: string,
): StoreGlossaryInvalidError {
  return new StoreGlossaryInvalidError(reason, message);
}

export const badRequest = (message: string) => invalid("BAD_REQUEST", message);

export function requireObject(body: unknown, what: string): Json {
  if (!isObject(body)) throw badRequest(`${what} definition missing`);
  return body;
}

/**
 * A name as Atlas checks it: present (else `missing`), none of `@ . < >`, and — our bound —
 * not longer than MAX_NAME_LENGTH.
 */
export function checkName(
  value: JsonValue | undefined,
  missing: () => StoreGlossaryInvalidError,
): string {
  if (value === undefined || value === null || value === "") throw missing();
  if (typeof value !== "string") throw badRequest("name must be a string");
  if (INVALID_NAME.test(value))
    throw invalid(
      "INVALID_DISPLAY_NAME",
      "name cannot contain following special chars ('@', '.', '<', '>')",
    );
  if (value.length > MAX_NAME_LENGTH)
    throw badRequest(`name is longer than ${MAX_NAME_LENGTH} characters`);
  return value;
}

/** The plain attributes of a glossary object in `body`: strings (or null), examples, additionalAttributes. */
export function plainAttributes(body: Json, names: readonly string[]): Json {
  const out: Json = {};
  for (const name of names) {
    const v = body[name];
    if (v === undefined || v === null) {
      out[name] = null;
    } else if (name === "examples") {
      if (!Array.isArray(v) || v.some((e) => typeof e !== "string"))
        throw badRequest("examples must be a list of strings");
      out[name] = v;
    } else if (name === "additionalAttributes") {
      if (!isObject(v) || Object.values(v).some((e) => typeof e !== "string"))
        throw badRequest("additionalAttributes must map names to strings");
      out[name] = v;
    } else if (typeof v !== "string") {
      throw badRequest(`${name} must be a string`);
    } else {
      out[name] = v;
    }
  }
  return out;
}

/** The guid a header names (`termGuid`, `categoryGuid`, `glossaryGuid`), or undefined. */
export function headerGuid(header: JsonValue | undefined, key: string): string | undefined {
  if (!isObject(header)) return undefined;
  const v = header[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The list of headers a body gives for `name`: absent or null is none. */
export function headerList(body: Json, name: string): Json[] {
  const v = body[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((h) => !isObject(h)))
    throw badRequest(`${name} must be a list of objects`);
  return v as Json[];
}

/** The relationship attributes a header carries (AtlasRelatedTermHeader, AtlasTermCategorizationHeader). */
export function headerAttributes(header: Json, names: readonly string[]): Json {
  const out: Json = {};
  for (const name of names) {
    const v = header[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") throw badRequest(`${name} must be a string`);
    if (name === "status" && !RELATION_STATUSES.has(v))
      throw badRequest(
        `status ${JSON.stringify(v)} is not an AtlasGlossaryTermRelationshipStatus (${[...RELATION_STATUSES].join(", ")})`,
      );
    out[name] = v;
  }
  return out;
}
