import { HookDecodeError } from "../errors.js";
import {
  isObject,
  optionalObject,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  requireValue,
  withUser,
} from "./fields.js";
import type {
  AtlasClassification,
  AtlasEntity,
  AtlasObjectId,
  HookNotification,
  JsonObject,
  JsonValue,
  V1Type,
} from "./model.js";

/**
 * V1 bodies (Atlas's `HookNotificationV1`) carry "Referenceables": `{typeName, id, values,
 * traits}` with nested Referenceables, Ids and Structs marked by `jsonClass`. They are
 * converted to the V2 model the way Atlas's own V1→V2 converter does: a nested
 * Referenceable becomes a referred entity plus an object id in the attribute.
 */
/**
 * Deepest nesting of V1 values converted. Real hooks nest a few levels (table → column →
 * storage descriptor → serde struct → map); the conversion recurses, so a hostile message
 * nested thousands deep would otherwise overflow the stack.
 */
export const MAX_V1_DEPTH = 100;

export function decodeV1(body: JsonObject, type: V1Type): HookNotification {
  const user = optionalString(body.user, "user");
  switch (type) {
    case "ENTITY_CREATE":
    case "ENTITY_FULL_UPDATE": {
      const referredEntities: Record<string, AtlasEntity> = {};
      const entities = requireArray(body.entities, "entities").map((r, i) =>
        referenceable(r, `entities[${i}]`, referredEntities),
      );
      return withUser(user, {
        format: "V1",
        wireType: type,
        type: type === "ENTITY_CREATE" ? "ENTITY_CREATE_V2" : "ENTITY_FULL_UPDATE_V2",
        entities: { entities, referredEntities },
      });
    }
    case "ENTITY_PARTIAL_UPDATE": {
      const entityId = uniqueId(body);
      const referredEntities: Record<string, AtlasEntity> = {};
      const entity = referenceable(body.entity, "entity", referredEntities, entityId.typeName);
      return withUser(user, {
        format: "V1",
        wireType: type,
        type: "ENTITY_PARTIAL_UPDATE_V2",
        entityId,
        entity: { entity, referredEntities },
      });
    }
    case "ENTITY_DELETE":
      return withUser(user, {
        format: "V1",
        wireType: type,
        type: "ENTITY_DELETE_V2",
        entities: [uniqueId(body)],
      });
  }
}

/** V1 partial update and delete name the entity by `typeName` + one unique `attribute`. */
function uniqueId(body: JsonObject): AtlasObjectId {
  const typeName = requireString(body.typeName, "typeName");
  const attribute = requireString(body.attribute, "attribute");
  const attributeValue = requireValue(body.attributeValue, "attributeValue");
  return { typeName, uniqueAttributes: { [attribute]: attributeValue } };
}

type Kind = "reference" | "id" | "struct" | "map";

function kindOf(obj: JsonObject): Kind {
  const jsonClass = typeof obj.jsonClass === "string" ? obj.jsonClass : "";
  if (jsonClass.endsWith("_Reference")) return "reference";
  if (jsonClass.endsWith("_Id")) return "id";
  if (jsonClass.endsWith("_Struct")) return "struct";
  if (jsonClass !== "") return "map";
  // Without jsonClass (some non-Java producers), go by shape.
  if (typeof obj.typeName === "string" && isObject(obj.values) && obj.id !== undefined)
    return "reference";
  if (typeof obj.typeName === "string" && isObject(obj.values)) return "struct";
  return "map";
}

function guidOf(id: JsonValue | undefined, path: string): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id === "string" || typeof id === "number") return String(id);
  if (isObject(id)) {
    const inner = id.id ?? id._id;
    if (typeof inner === "string" || typeof inner === "number") return String(inner);
  }
  throw new HookDecodeError(
    "HOOK_INVALID_FIELD",
    `${path}.id must be an id object or a guid string`,
    { field: `${path}.id` },
  );
}

function referenceable(
  value: unknown,
  path: string,
  referred: Record<string, AtlasEntity>,
  fallbackType?: string,
  depth = 0,
): AtlasEntity {
  const obj = requireObject(value, path);
  const idObj = isObject(obj.id) ? obj.id : undefined;
  const typeName =
    typeof obj.typeName === "string"
      ? obj.typeName
      : typeof idObj?.typeName === "string"
        ? idObj.typeName
        : fallbackType;
  const entity: AtlasEntity = { typeName: requireString(typeName, `${path}.typeName`) };
  const guid = guidOf(obj.id, path);
  if (guid !== undefined) entity.guid = guid;
  const values = optionalObject(obj.values, `${path}.values`) ?? {};
  entity.attributes = convertMap(values, `${path}.values`, referred, depth + 1);
  const classifications = traits(obj, path, referred, depth + 1);
  if (classifications.length > 0) entity.classifications = classifications;
  if (idObj !== undefined && (idObj.state === "ACTIVE" || idObj.state === "DELETED"))
    entity.status = idObj.state;
  return entity;
}

function traits(
  obj: JsonObject,
  path: string,
  referred: Record<string, AtlasEntity>,
  depth: number,
): AtlasClassification[] {
  const traitMap = optionalObject(obj.traits, `${path}.traits`) ?? {};
  const names = Array.isArray(obj.traitNames)
    ? obj.traitNames.filter((n): n is string => typeof n === "string")
    : [];
  const all = new Set([...names, ...Object.keys(traitMap)]);
  return [...all].map((name) => {
    const trait = traitMap[name];
    const classification: AtlasClassification = { typeName: name };
    if (isObject(trait) && isObject(trait.values)) {
      classification.attributes = convertMap(
        trait.values,
        `${path}.traits.${name}.values`,
        referred,
        depth + 1,
      );
    }
    return classification;
  });
}

function convertMap(
  values: JsonObject,
  path: string,
  referred: Record<string, AtlasEntity>,
  depth: number,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, v] of Object.entries(values))
    out[key] = convertValue(v, `${path}.${key}`, referred, depth);
  return out;
}

function convertValue(
  value: JsonValue,
  path: string,
  referred: Record<string, AtlasEntity>,
  depth: number,
): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_V1_DEPTH) {
    // The path would be as deep as the value: name where it starts going down.
    const field = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    throw new HookDecodeError(
      "HOOK_LIMIT_EXCEEDED",
      `${field} is nested more than ${MAX_V1_DEPTH} levels deep`,
      { field },
    );
  }
  if (Array.isArray(value))
    return value.map((v, i) => convertValue(v, `${path}[${i}]`, referred, depth + 1));
  switch (kindOf(value)) {
    case "reference": {
      const nested = referenceable(value, path, referred, undefined, depth + 1);
      const ref: AtlasObjectId = { typeName: nested.typeName };
      if (nested.guid !== undefined) {
        ref.guid = nested.guid;
        referred[nested.guid] = nested;
      }
      const qualifiedName = nested.attributes?.qualifiedName;
      if (typeof qualifiedName === "string") ref.uniqueAttributes = { qualifiedName };
      return ref as JsonObject;
    }
    case "id": {
      const ref: AtlasObjectId = { typeName: requireString(value.typeName, `${path}.typeName`) };
      const guid = guidOf(value.id, path);
      if (guid !== undefined) ref.guid = guid;
      return ref as JsonObject;
    }
    case "struct":
      return {
        typeName: requireString(value.typeName, `${path}.typeName`),
        attributes: convertMap(
          optionalObject(value.values, `${path}.values`) ?? {},
          `${path}.values`,
          referred,
          depth + 1,
        ),
      };
    case "map": {
      const { jsonClass: _ignored, ...rest } = value;
      return convertMap(rest, path, referred, depth + 1);
    }
  }
}
