/**
 * Typedefs as Atlas's typedef store keeps them (AtlasTypeDefGraphStore and its V2 def stores):
 * what a create fills in, what an update may change, what blocks a delete, and the search
 * filter of GET /types/typedefs (Atlas's SearchFilter / FilterUtil). Backend-independent: the
 * store runs these inside its fenced write transactions (store.ts), migrate() seeds with them.
 */
import {
  CATEGORY_LISTS,
  type AnyTypeDef,
  type AtlasClassificationDef,
  type AtlasEntityDef,
  type AtlasRelationshipDef,
  type AtlasRelationshipEndDef,
  type AtlasStructDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import { StoreTypedefNotFoundError, StoreTypeExistsError, StoreTypeInUseError } from "./errors.js";
import type { StoredTypedef } from "./sql.js";
import { TypeRegistry } from "./typesystem.js";
import {
  invalid,
  isObject,
  E,
  PRIMITIVES,
  requestTypedefs,
  type Json,
  type Stamp,
} from "./typedef-input.js";

export {
  normalizeTypedef,
  requestTypedefs,
  type Stamp,
  type TypedefFilter,
  type TypedefHeader,
} from "./typedef-input.js";
export {
  groupTypedefs,
  matchesFilter,
  readTypedef,
  rootTypedef,
  systemTypeCategory,
  typedefHeaders,
} from "./typedef-read.js";

/** The type names an attribute type refers to: `array<map<string,hive_column>>` → hive_column. */
export function referencedTypeNames(typeName: string): string[] {
  const t = typeName.trim();
  if (t.startsWith("array<") && t.endsWith(">")) return referencedTypeNames(t.slice(6, -1));
  if (t.startsWith("map<") && t.endsWith(">")) {
    const inner = t.slice(4, -1);
    const comma = inner.indexOf(",");
    if (comma < 0) return [inner];
    return [
      ...referencedTypeNames(inner.slice(0, comma)),
      ...referencedTypeNames(inner.slice(comma + 1)),
    ];
  }
  return PRIMITIVES.has(t) ? [] : [t];
}

/** Every other type a def refers to, with what the reference is (for a delete's 409). */
function references(entry: StoredTypedef): { type: string; as: string; relationship: boolean }[] {
  const { category, def } = entry;
  const out: { type: string; as: string; relationship: boolean }[] = [];
  for (const a of (def as AtlasStructDef).attributeDefs ?? []) {
    for (const type of referencedTypeNames(a.typeName))
      out.push({ type, as: `attribute ${def.name}.${a.name}`, relationship: false });
  }
  for (const sup of (def as AtlasEntityDef).superTypes ?? [])
    out.push({ type: sup, as: `supertype of ${def.name}`, relationship: false });
  for (const t of (def as AtlasClassificationDef).entityTypes ?? [])
    out.push({ type: t, as: `entityTypes of ${def.name}`, relationship: false });
  if (category === "RELATIONSHIP") {
    const rel = def as AtlasRelationshipDef;
    for (const end of [rel.endDef1, rel.endDef2])
      if (end) out.push({ type: end.type, as: `end of ${def.name}`, relationship: true });
  }
  return out;
}

/**
 * What Atlas's registry checks when types are added or replaced (resolveReferences): every
 * type a def names exists (else BAD_REQUEST, ATLAS-400-00-029, "Given typename … was
 * invalid"), supertypes are of the def's own category, relationship ends are entity types.
 */
function checkReferences(registry: TypeRegistry, checked: StoredTypedef[]): void {
  for (const entry of checked) {
    for (const ref of references(entry)) {
      const target = registry.get(ref.type);
      if (!target)
        throw invalid(
          `Given typename ${ref.type} was invalid (${ref.as})`,
          E.TYPEDEF_BAD_REQUEST.code,
        );
      const expected = ref.as.startsWith("supertype")
        ? entry.category
        : ref.relationship || ref.as.startsWith("entityTypes")
          ? "ENTITY"
          : undefined;
      if (expected && target.category !== expected)
        throw invalid(`${entry.def.name}: ${ref.type} (${ref.as}) is not a ${expected} type`);
    }
    if (entry.category === "STRUCT" && (entry.def as AtlasStructDef).attributeDefs.length === 0)
      throw invalid("Missing attributes for structdef", E.TYPEDEF_BAD_REQUEST.code);
  }
}

/**
 * Checks `defs` against `existing` and returns them ready to store, or throws:
 * StoreTypeExistsError when a name is taken (nothing is created, as in Atlas),
 * StoreInvalidTypedefError when a def is malformed or refers to unknown types. As Atlas's
 * createTypeVertex, a guid, version or times the client gives are kept; createdBy and
 * updatedBy are the caller; a blank description becomes the name.
 */
export function prepareTypedefs(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
  stamp: Stamp,
): StoredTypedef[] {
  const requested = requestTypedefs(defs);
  const names = new Set<string>();
  const guids = new Set(existing.all().map((e) => e.def.guid));
  const prepared = requested.map(({ category, def }) => {
    if (existing.has(def.name) || names.has(def.name)) throw new StoreTypeExistsError(def.name);
    names.add(def.name);
    const guid = def.guid && !guids.has(def.guid) ? def.guid : stamp.newGuid();
    guids.add(guid);
    return {
      category,
      def: {
        ...def,
        category,
        guid,
        createdBy: stamp.user,
        updatedBy: stamp.user,
        createTime: def.createTime ?? stamp.now,
        updateTime: def.updateTime ?? stamp.now,
        version: def.version ?? 1,
        description: def.description || def.name,
        typeVersion: def.typeVersion || "1.0",
      },
    };
  });
  // Supertypes, references and cycles are checked against old and new types together.
  checkReferences(new TypeRegistry([...existing.all(), ...prepared]), prepared);
  return prepared;
}

function findExisting(
  existing: TypeRegistry,
  entry: StoredTypedef,
): { category: TypeCategory; def: AnyTypeDef } {
  const { category, def } = entry;
  if (def.guid) {
    const found = existing.all().find((e) => e.def.guid === def.guid);
    if (!found) throw new StoreTypedefNotFoundError({ guid: def.guid });
    if (found.category !== category) {
      throw invalid(
        `Given type ${def.name} doesn't match ${category}`,
        E.INCOMPATIBLE_TYPEDEF_UPDATE.code,
      );
    }
    if (found.def.name !== def.name) {
      throw category === "RELATIONSHIP"
        ? invalid(
            `invalid relationshipDef rename for relationship guid ${def.guid}: new name ${def.name}, existing name ${found.def.name}`,
            E.RELATIONSHIPDEF_RENAME.code,
          )
        : invalid(
            `${found.def.name}: a type cannot be renamed (to ${def.name})`,
            E.TYPEDEF_BAD_REQUEST.code,
          );
    }
    return found;
  }
  const found = existing.get(def.name);
  // Atlas looks the type up by name and category: another category's type is not found.
  if (!found || found.category !== category)
    throw new StoreTypedefNotFoundError({ name: def.name });
  return found;
}

/** Atlas's AtlasStructDefStoreV2.updateVertexPreUpdate and the supertype / end rules. */
function checkUpdate(current: AnyTypeDef, next: AnyTypeDef, category: TypeCategory): void {
  const name = current.name;
  if (category !== "ENUM") {
    const currentAttrs = (current as AtlasStructDef).attributeDefs ?? [];
    const nextAttrs = new Map((next as AtlasStructDef).attributeDefs.map((a) => [a.name, a]));
    for (const a of currentAttrs) {
      if (!nextAttrs.has(a.name))
        throw invalid(
          `${name}.${a.name} : attribute delete not supported`,
          E.ATTRIBUTE_DELETION_NOT_SUPPORTED.code,
        );
    }
    const byName = new Map(currentAttrs.map((a) => [a.name, a]));
    for (const a of nextAttrs.values()) {
      const was = byName.get(a.name);
      if (!was && !a.isOptional)
        throw invalid(
          `${name}.${a.name} : can not add mandatory attribute`,
          E.CANNOT_ADD_MANDATORY_ATTRIBUTE.code,
        );
      if (was && was.typeName !== a.typeName)
        throw invalid(
          `Data type update for attribute is not supported (${name}.${a.name}: ${was.typeName} → ${a.typeName})`,
          E.TYPEDEF_BAD_REQUEST.code,
        );
    }
  }
  if (category === "ENTITY" || category === "CLASSIFICATION") {
    const nextSupers = new Set((next as AtlasEntityDef).superTypes ?? []);
    if (!((current as AtlasEntityDef).superTypes ?? []).every((s) => nextSupers.has(s)))
      throw invalid("superType remove not supported", E.SUPERTYPE_REMOVAL_NOT_SUPPORTED.code);
  }
  if (category === "CLASSIFICATION") {
    const nextTypes = (next as AtlasClassificationDef).entityTypes ?? [];
    const currentTypes = (current as AtlasClassificationDef).entityTypes ?? [];
    // An empty list lifts the restriction; a non-empty one may only add to it.
    if (nextTypes.length > 0 && !currentTypes.every((t) => nextTypes.includes(t)))
      throw invalid(
        `EntityTypes cannot be removed from ClassificationDef ‘${name}‘`,
        E.ENTITYTYPE_REMOVAL_NOT_SUPPORTED.code,
      );
  }
  if (category === "RELATIONSHIP") {
    const was = current as AtlasRelationshipDef;
    const now = next as AtlasRelationshipDef;
    if ((was.relationshipCategory ?? "ASSOCIATION") !== now.relationshipCategory)
      throw invalid(
        `invalid  update for relationship ${name}: new relationshipDef category ${now.relationshipCategory}, existing relationshipDef category ${was.relationshipCategory}`,
        E.RELATIONSHIPDEF_CATEGORY_UPDATE.code,
      );
    const same = (a: AtlasRelationshipEndDef, b: AtlasRelationshipEndDef) =>
      a.type === b.type &&
      a.name === b.name &&
      (a.isContainer ?? false) === (b.isContainer ?? false) &&
      (a.cardinality ?? "SINGLE") === (b.cardinality ?? "SINGLE");
    if (!same(was.endDef1, now.endDef1))
      throw invalid(
        `invalid update for relationshipDef ${name}: new end1 ${JSON.stringify(now.endDef1)}, existing end1 ${JSON.stringify(was.endDef1)}`,
        E.RELATIONSHIPDEF_END1_UPDATE.code,
      );
    if (!same(was.endDef2, now.endDef2))
      throw invalid(
        `invalid update for relationshipDef ${name}: new end2 ${JSON.stringify(now.endDef2)}, existing end2 ${JSON.stringify(was.endDef2)}`,
        E.RELATIONSHIPDEF_END2_UPDATE.code,
      );
  }
}

/**
 * PUT /types/typedefs: each def replaces the stored one found by guid (when given) or name,
 * under Atlas's rules — attributes may be added if optional, never removed or retyped;
 * supertypes and a classification's entityTypes only added; a relationship's category and
 * ends fixed. The result keeps guid, createdBy and createTime, and has updatedBy, updateTime
 * and version + 1 (Atlas bumps the version on every update, even one that changes nothing).
 */
export function prepareUpdate(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
  stamp: Stamp,
): StoredTypedef[] {
  const updated = new Map<string, StoredTypedef>();
  for (const entry of requestTypedefs(defs)) {
    const found = updated.get(entry.def.name) ?? findExisting(existing, entry);
    const current = found.def;
    const next = entry.def;
    checkUpdate(current, next, entry.category);
    updated.set(current.name, {
      category: entry.category,
      def: {
        ...next,
        category: entry.category,
        guid: current.guid,
        createdBy: current.createdBy,
        createTime: current.createTime,
        updatedBy: stamp.user,
        updateTime: stamp.now,
        version: (current.version ?? 1) + 1,
        description: next.description || current.description,
        typeVersion: next.typeVersion || current.typeVersion,
        ...(next.serviceType || current.serviceType
          ? { serviceType: next.serviceType || current.serviceType }
          : {}),
      },
    });
  }
  const prepared = [...updated.values()];
  const combined = existing.all().map((e) => updated.get(e.def.name) ?? e);
  checkReferences(new TypeRegistry(combined), prepared);
  return prepared;
}

/**
 * DELETE /types/typedefs (and typedef/name/{name}): the stored defs the request names, by
 * guid when given, else by name; an unknown one is a 404 and nothing is deleted.
 */
export function resolveDeletes(
  defs: Partial<AtlasTypesDef>,
  existing: TypeRegistry,
): StoredTypedef[] {
  if (!isObject(defs)) throw invalid("typedefs must be a JSON object");
  const out = new Map<string, StoredTypedef>();
  // Atlas's order: relationships first (they refer to entity types), enums and business
  // metadata last.
  const order: TypeCategory[] = [
    "RELATIONSHIP",
    "STRUCT",
    "CLASSIFICATION",
    "ENTITY",
    "ENUM",
    "BUSINESS_METADATA",
  ];
  for (const category of order) {
    const list = (defs as Json)[CATEGORY_LISTS[category]];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw invalid(`${CATEGORY_LISTS[category]} must be a list`);
    list.forEach((value, i) => {
      const where = `${CATEGORY_LISTS[category]}[${i}]`;
      if (!isObject(value)) throw invalid(`${where}: expected {name} or {guid}`);
      const guid = typeof value.guid === "string" && value.guid.trim() !== "" ? value.guid : null;
      const name = typeof value.name === "string" ? value.name : null;
      if (!guid && !name) throw invalid(`${where}: a name or a guid is required`);
      const found = guid
        ? existing.all().find((e) => e.def.guid === guid && e.category === category)
        : existing.get(name!);
      if (!found || found.category !== category)
        throw new StoreTypedefNotFoundError(guid ? { guid } : { name: name! });
      out.set(found.def.name, found);
    });
  }
  return [...out.values()];
}

/**
 * What Atlas's deleteTypeVertex and the entity def store refuse: a type that types not being
 * deleted with it refer to (ATLAS-409-00-002), an entity type that relationshipDefs not being
 * deleted name as an end (ATLAS-409-00-005). Instances are checked by the store (they are rows).
 */
export function checkDeletable(deleting: StoredTypedef[], existing: TypeRegistry): void {
  const names = new Set(deleting.map((d) => d.def.name));
  const refs = existing
    .all()
    .filter((e) => !names.has(e.def.name))
    .flatMap((e) => references(e));
  for (const { def, category } of deleting) {
    const relationship = refs.find((r) => r.type === def.name && r.relationship);
    if (relationship && category === "ENTITY")
      throw new StoreTypeInUseError(def.name, "relationships", relationship.as);
    const other = refs.find((r) => r.type === def.name);
    if (other) throw new StoreTypeInUseError(def.name, "references", other.as);
  }
}

/**
 * Atlas's AtlasBusinessMetadataDefStoreV2.validateDeletion: with `force` nothing is checked;
 * without it a def with a non-indexable attribute is refused (its references cannot be checked
 * cheaply, ATLAS-400-00-107). True when the caller must still check for references.
 */
export function checkBusinessMetadataDelete(entry: StoredTypedef, force: boolean): boolean {
  if (entry.category !== "BUSINESS_METADATA") return true;
  if (force) return false;
  const def = entry.def;
  if ((def as AtlasStructDef).attributeDefs?.some((a) => !a.isIndexable)) {
    throw invalid(
      `Deletion not allowed for non-indexable Business Metadata '${def.name}' without force=true. Non-indexable attributes cannot be validated efficiently for references; use force=true to skip validation and delete (warning: orphaned references may remain).`,
      E.NON_INDEXABLE_BM_DELETE_NOT_ALLOWED.code,
    );
  }
  return true;
}
