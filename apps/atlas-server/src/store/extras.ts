/**
 * What an entity carries besides its attributes (docs/contracts/model.md): classifications,
 * labels, custom attributes and business attributes, validated and merged as Atlas's
 * EntityGraphMapper does. On create they are set as given. On update, labels and custom
 * attributes are replaced when sent; classifications and business attributes are kept
 * unless the request asks to replace them (`replaceClassifications`,
 * `replaceBusinessAttributes`), as in Atlas.
 */
import type { AtlasClassification, AtlasEntity, JsonValue } from "@atlas-ha/atlas-model";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { AtlasClassificationDef, AtlasStructDef } from "../models/typedefs.js";
import { isObject, type EntityRecord } from "./entities.js";
import { StoreInvalidEntityError, StoreUnknownClassificationError } from "./errors.js";
import type { TypeRegistry } from "./typesystem.js";

export interface ExtrasOptions {
  /** Replace an existing entity's classifications with the ones sent (none: all removed). */
  replaceClassifications?: boolean;
  /** Replace an existing entity's business attributes with the ones sent. */
  replaceBusinessAttributes?: boolean;
  /**
   * `propagate` of a classification sent without one. Default true (Atlas's
   * atlas.classification.propagation.default); hook messages use false, as Atlas does while
   * it processes notifications.
   */
  propagateByDefault?: boolean;
}

/** Atlas's limits (atlas.entity.label.max.length, atlas.custom.attribute.*.max.length defaults). */
const LABEL_MAX = 50;
const CUSTOM_KEY_MAX = 50;
const CUSTOM_VALUE_MAX = 500;
/** Letters (Latin and CJK), digits, `_` and `-`: Atlas's LABEL_REGEX and CUSTOM_ATTRIBUTE_KEY_REGEX. */
const NAME = /^[\u2E80-\u2FD5\u3190-\u319f\u3400-\u4DBF\u4E00-\u9FCC\uF900-\uFAADa-zA-Z0-9_-]*$/u;

const invalid = (message: string, code: string) => new StoreInvalidEntityError(message, code);

export function applyExtras(
  types: TypeRegistry,
  record: EntityRecord,
  entity: AtlasEntity,
  isNew: boolean,
  options: ExtrasOptions,
): void {
  if (entity.labels !== undefined && entity.labels !== null) record.labels = labels(entity.labels);
  if (entity.customAttributes !== undefined && entity.customAttributes !== null)
    record.customAttributes = customAttributes(entity.customAttributes);
  if (isNew || options.replaceClassifications) {
    const given = entity.classifications;
    if (given !== undefined && given !== null && !Array.isArray(given))
      throw invalid("classifications: expected a list", ATLAS_ERRORS.INVALID_ENTITY.code);
    record.classifications = classifications(types, record, given ?? [], {
      propagateByDefault: options.propagateByDefault,
    });
  }
  if (isNew || options.replaceBusinessAttributes) {
    const given = entity.businessAttributes;
    record.businessAttributes =
      given === undefined || given === null ? {} : businessAttributes(types, record, given);
  }
}

export function labels(value: unknown): string[] {
  if (!Array.isArray(value))
    throw invalid("labels: expected a list of strings", ATLAS_ERRORS.INVALID_ENTITY.code);
  const out = new Set<string>();
  for (const label of value) {
    if (typeof label !== "string")
      throw invalid("labels: expected a list of strings", ATLAS_ERRORS.INVALID_ENTITY.code);
    if (label.length > LABEL_MAX)
      throw invalid(
        `Invalid label: ${label}, label size should not be greater than ${LABEL_MAX}`,
        ATLAS_ERRORS.LABEL_LENGTH.code,
      );
    if (!NAME.test(label))
      throw invalid(
        `Invalid label: ${label}, label should contain alphanumeric characters, '_' or '-'`,
        ATLAS_ERRORS.LABEL_CHARACTERS.code,
      );
    out.add(label);
  }
  return [...out];
}

function customAttributes(value: unknown): Record<string, string> {
  if (!isObject(value))
    throw invalid("customAttributes: expected a map of strings", ATLAS_ERRORS.INVALID_ENTITY.code);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string")
      throw invalid(`customAttributes.${key}: expected a string`, ATLAS_ERRORS.INVALID_ENTITY.code);
    if (key.length > CUSTOM_KEY_MAX)
      throw invalid(
        `Invalid key: ${key} in custom attribute, key size should not be greater than ${CUSTOM_KEY_MAX}`,
        ATLAS_ERRORS.CUSTOM_ATTRIBUTE_KEY_LENGTH.code,
      );
    if (!NAME.test(key))
      throw invalid(
        `Invalid key: ${key} in custom attribute, key should only contain alphanumeric characters, '_' or '-'`,
        ATLAS_ERRORS.CUSTOM_ATTRIBUTE_KEY_CHARACTERS.code,
      );
    if (v.length > CUSTOM_VALUE_MAX)
      throw invalid(
        `Invalid value: ${v.slice(0, 80)}… in custom attribute, value length is greater than ${CUSTOM_VALUE_MAX}`,
        ATLAS_ERRORS.CUSTOM_ATTRIBUTE_VALUE_LENGTH.code,
      );
    out[key] = v;
  }
  return out;
}

/** The classification def and its supertypes, most derived first. */
function classificationChain(types: TypeRegistry, name: string): AtlasClassificationDef[] {
  const chain: AtlasClassificationDef[] = [];
  const visit = (n: string): void => {
    const found = types.get(n);
    if (found?.category !== "CLASSIFICATION" || chain.includes(found.def as AtlasClassificationDef))
      return;
    chain.push(found.def as AtlasClassificationDef);
    for (const sup of (found.def as AtlasClassificationDef).superTypes ?? []) visit(sup);
  };
  visit(name);
  return chain;
}

/** Whether the classification may be put on an entity of that type (its defs' `entityTypes`). */
export function classificationAppliesTo(
  types: TypeRegistry,
  name: string,
  entityTypeName: string,
): boolean {
  const restricted = classificationEntityTypes(types, name);
  return restricted.length === 0 || restricted.some((t) => types.isA(entityTypeName, t));
}

/** The entity types the classification is restricted to (its defs' `entityTypes`); none: any. */
export function classificationEntityTypes(types: TypeRegistry, name: string): string[] {
  return classificationChain(types, name).flatMap((d) => d.entityTypes ?? []);
}

/**
 * A classification another entity propagates here, sent back as a GET showed it
 * (`propagate: true`, `entityGuid` of its source): Atlas's addClassifications skips it.
 */
function isReceived(record: EntityRecord, c: unknown, anyPropagate = false): boolean {
  return (
    isObject(c) &&
    (anyPropagate || c.propagate === true) &&
    typeof c.entityGuid === "string" &&
    c.entityGuid !== "" &&
    c.entityGuid !== record.guid
  );
}

export function classifications(
  types: TypeRegistry,
  record: EntityRecord,
  given: unknown[],
  options: { received?: "skip" | "reject"; propagateByDefault?: boolean } = {},
): AtlasClassification[] {
  const seen = new Set<string>();
  const own = given.filter((c) => {
    // An update names the entity's own classifications only (Atlas's updateClassifications).
    if (!isReceived(record, c, options.received === "reject")) return true;
    if (options.received === "reject")
      throw invalid(
        `Update to classification ${String((c as { typeName?: unknown }).typeName)} is not allowed from propagated entity`,
        ATLAS_ERRORS.CLASSIFICATION_UPDATE_FROM_PROPAGATED_ENTITY.code,
      );
    return false;
  });
  return own.map((c): AtlasClassification => {
    if (!isObject(c) || typeof c.typeName !== "string")
      throw invalid("a classification needs a typeName", ATLAS_ERRORS.INVALID_ENTITY.code);
    const chain = classificationChain(types, c.typeName);
    if (chain.length === 0) throw new StoreUnknownClassificationError(c.typeName);
    if (seen.has(c.typeName))
      throw invalid(
        `instance ${record.guid} already is associated with classification ${c.typeName}`,
        ATLAS_ERRORS.CLASSIFICATION_DUPLICATE.code,
      );
    seen.add(c.typeName);
    const restricted = chain.flatMap((d) => d.entityTypes ?? []);
    if (restricted.length > 0 && !restricted.some((t) => types.isA(record.typeName, t)))
      throw invalid(
        `Entity (guid=‘${record.guid}‘,typename=‘${record.typeName}‘) cannot be classified by Classification ‘${c.typeName}‘, because ‘${record.typeName}‘ is not in the ClassificationDef's restrictions.`,
        ATLAS_ERRORS.CLASSIFICATION_NOT_APPLICABLE.code,
      );
    const attributes = isObject(c.attributes) ? c.attributes : {};
    checkAttributeNames(chain, attributes, c.typeName);
    return {
      ...c,
      typeName: c.typeName,
      attributes,
      entityGuid: record.guid,
      entityStatus: record.status,
      propagate:
        typeof c.propagate === "boolean" ? c.propagate : (options.propagateByDefault ?? true),
      removePropagationsOnEntityDelete:
        typeof c.removePropagationsOnEntityDelete === "boolean"
          ? c.removePropagationsOnEntityDelete
          : false,
      validityPeriods: Array.isArray(c.validityPeriods) ? c.validityPeriods : [],
    };
  });
}

function checkAttributeNames(
  defs: AtlasStructDef[],
  attributes: Record<string, JsonValue>,
  typeName: string,
): void {
  const known = new Set(defs.flatMap((d) => (d.attributeDefs ?? []).map((a) => a.name)));
  for (const name of Object.keys(attributes)) {
    if (!known.has(name))
      throw invalid(
        `Attribute ${name} not found for type ${typeName}`,
        ATLAS_ERRORS.UNKNOWN_ATTRIBUTE.code,
      );
  }
}

/** The entity types a business-metadata attribute applies to (its `applicableEntityTypes` option). */
function applicableTypes(option: unknown): string[] {
  if (typeof option !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(option);
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

export function businessAttributes(
  types: TypeRegistry,
  record: EntityRecord,
  given: unknown,
): Record<string, Record<string, JsonValue>> {
  if (!isObject(given))
    throw invalid("businessAttributes: expected a map", ATLAS_ERRORS.INVALID_ENTITY.code);
  const notApplicable = (what: string) =>
    invalid(
      `Invalid business-metadata: ${what} specified for entity of type ${record.typeName}`,
      ATLAS_ERRORS.BUSINESS_METADATA_NOT_APPLICABLE.code,
    );
  const out: Record<string, Record<string, JsonValue>> = {};
  for (const [bmName, values] of Object.entries(given)) {
    const found = types.get(bmName);
    if (found?.category !== "BUSINESS_METADATA") throw notApplicable(bmName);
    if (!isObject(values))
      throw invalid(
        `businessAttributes.${bmName}: expected a map`,
        ATLAS_ERRORS.INVALID_ENTITY.code,
      );
    const defs = new Map(
      ((found.def as AtlasStructDef).attributeDefs ?? []).map((a) => [a.name, a]),
    );
    for (const attr of Object.keys(values)) {
      const def = defs.get(attr);
      const applies = applicableTypes(
        (def?.options as Record<string, unknown> | undefined)?.applicableEntityTypes,
      );
      if (!def || !applies.some((t) => types.isA(record.typeName, t)))
        throw notApplicable(`${bmName}.${attr}`);
    }
    out[bmName] = values;
  }
  return out;
}

/** One change to what an entity carries, as the entity REST calls make them. */
export type EntityEdit =
  | { op: "addClassifications"; classifications: unknown[] }
  | { op: "updateClassifications"; classifications: unknown[] }
  | { op: "removeClassification"; name: string }
  | { op: "setLabels" | "addLabels" | "removeLabels"; labels: unknown }
  | { op: "setBusinessAttributes"; values: unknown; overwrite: boolean }
  | { op: "removeBusinessAttributes"; values: unknown };

const notAssociated = (name: string, guid: string) =>
  invalid(
    `Classification ${name} is not associated with entity ${guid}`,
    ATLAS_ERRORS.CLASSIFICATION_NOT_ASSOCIATED.code,
  );

/** Applies an edit to the record (validated as on create); throws and changes nothing on bad input. */
export function editExtras(types: TypeRegistry, record: EntityRecord, edit: EntityEdit): void {
  switch (edit.op) {
    case "addClassifications": {
      const added = classifications(types, record, edit.classifications);
      for (const c of added) {
        if (record.classifications.some((x) => x.typeName === c.typeName))
          throw invalid(
            `instance ${record.guid} already is associated with classification ${c.typeName}`,
            ATLAS_ERRORS.CLASSIFICATION_DUPLICATE.code,
          );
      }
      record.classifications = [...record.classifications, ...added];
      return;
    }
    case "updateClassifications": {
      const updated = classifications(types, record, edit.classifications, { received: "reject" });
      const next = [...record.classifications];
      for (const c of updated) {
        const at = next.findIndex((x) => x.typeName === c.typeName);
        if (at < 0) throw notAssociated(c.typeName, record.guid);
        next[at] = c;
      }
      record.classifications = next;
      return;
    }
    case "removeClassification":
      if (!record.classifications.some((x) => x.typeName === edit.name))
        throw notAssociated(edit.name, record.guid);
      record.classifications = record.classifications.filter((x) => x.typeName !== edit.name);
      return;
    case "setLabels":
      record.labels = labels(edit.labels ?? []);
      return;
    case "addLabels":
      record.labels = [...new Set([...record.labels, ...labels(edit.labels ?? [])])];
      return;
    case "removeLabels": {
      const gone = new Set(labels(edit.labels ?? []));
      record.labels = record.labels.filter((l) => !gone.has(l));
      return;
    }
    case "setBusinessAttributes": {
      const given = businessAttributes(types, record, edit.values);
      if (edit.overwrite) record.businessAttributes = given;
      else {
        const next = { ...record.businessAttributes };
        for (const [bm, values] of Object.entries(given)) next[bm] = { ...next[bm], ...values };
        record.businessAttributes = next;
      }
      return;
    }
    case "removeBusinessAttributes": {
      const given = businessAttributes(types, record, edit.values);
      const next = { ...record.businessAttributes };
      for (const [bm, values] of Object.entries(given)) {
        const kept = { ...next[bm] };
        for (const attr of Object.keys(values)) delete kept[attr];
        if (Object.keys(kept).length > 0) next[bm] = kept;
        else delete next[bm];
      }
      record.businessAttributes = next;
      return;
    }
  }
}
