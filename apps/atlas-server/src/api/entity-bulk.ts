/**
 * Atlas's bulk tools of the entity REST (EntityREST.java; docs/contracts/http.md): set the
 * classifications of many entities found by unique attribute
 * (`POST v2/entity/bulk/setClassifications`), the headers of the entities whose
 * classifications changed since a time (`GET v2/entity/bulk/headers`), and the business-metadata upload
 * (`GET v2/entity/businessmetadata/import/template`, `POST v2/entity/businessmetadata/import`
 * with a CSV file). Both report per entity, as Atlas does: what failed does not stop the rest.
 */
import type { AnyTypeDef, AtlasAttributeDef, AtlasStructDef } from "../models/typedefs.js";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { Context } from "koa";
import { readJsonObject } from "../http/body.js";
import { AtlasHttpError, errors, toHttpError } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { EntityEdit } from "../store/extras.js";
import type { ApiContext } from "./context.js";
import { fail, importInfo, readCsvUpload, type ImportInfo } from "./upload.js";
import { headerOf } from "./entity-more.js";
import { integerParam } from "./normalize.js";

const E = "/api/atlas/v2/entity";
/** Atlas's FileUtils.getBusinessMetadataHeaders(): the columns of the upload. */
export const BM_TEMPLATE =
  "EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,EntityUniqueAttributeName[optional]";
/** The most entity headers one bulk/headers answer carries (beyond: a 400 asking for a later start). */
const MAX_HEADERS = 10_000;

type Classification = { typeName: string; entityGuid?: string };

/** The classifications an entity has itself (Atlas leaves out those propagated from others). */
function own(guid: string | undefined, list: unknown): Classification[] {
  if (!Array.isArray(list)) return [];
  return list.filter(
    (c): c is Classification =>
      typeof c === "object" &&
      c !== null &&
      typeof (c as Classification).typeName === "string" &&
      (!guid || !(c as Classification).entityGuid || (c as Classification).entityGuid === guid),
  );
}

export function entityBulkRoutes(router: Router, api: ApiContext): void {
  const user = (ctx: Context) =>
    typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
  /** One edit in its own write; its failure becomes the summary's "(Partial)", as in Atlas. */
  const attempt = async (ctx: Context, guid: string, edit: EntityEdit): Promise<boolean> => {
    try {
      await api.write((epoch) =>
        api.store.editEntities(epoch, [{ guid, typeName: "" }], edit, user(ctx)),
      );
      return true;
    } catch (error) {
      const answer = toHttpError(error);
      if (!answer || answer.status >= 500) throw error; // not the request's fault: no summary
      return false;
    }
  };

  // AtlasEntityHeaders {guidHeaderMap: {…: {typeName, attributes: {qualifiedName}, classifications}}}:
  // each entity found by unique attribute gets exactly those classifications (its own ones;
  // propagated ones are not touched). Answers Atlas's summary, a JSON list of strings.
  router.on("POST", `${E}/bulk/setClassifications`, async (ctx) => {
    const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "AtlasEntityHeaders");
    const map = body.guidHeaderMap;
    if (map === undefined || map === null || typeof map !== "object" || Array.isArray(map))
      throw errors.invalid("AtlasEntityHeaders: guidHeaderMap must be a map of entity headers");
    const summary: string[] = [];
    for (const value of Object.values(map as Record<string, unknown>)) {
      const header = (value ?? {}) as {
        guid?: unknown;
        typeName?: unknown;
        attributes?: Record<string, unknown>;
        classifications?: unknown;
      };
      const typeName = typeof header.typeName === "string" ? header.typeName : "";
      if ((await api.store.getTypedef(typeName))?.category !== "ENTITY") {
        summary.push(`${typeName}: (Skipped)`);
        continue;
      }
      const qn = header.attributes?.qualifiedName;
      const found =
        typeof qn === "string" && qn !== ""
          ? await api.store.getByUniqueAttribute(typeName, qn, { ignoreRelationships: true })
          : null;
      const name = typeof qn === "string" && qn !== "" ? qn : "<no unique name>";
      if (!found) {
        summary.push(`Entity:${typeName}:${name}:[Not found]:(Skipped)`);
        continue;
      }
      const guid = found.entity.guid;
      const incoming = own(
        typeof header.guid === "string" ? header.guid : undefined,
        header.classifications,
      );
      const current = own(guid, found.entity.classifications);
      const has = (list: Classification[], c: Classification) =>
        list.some((x) => x.typeName === c.typeName);
      const removed = current.filter((c) => !has(incoming, c));
      const updated = incoming.filter((c) => has(current, c));
      const added = incoming.filter((c) => !has(current, c));
      const line = (op: string, list: Classification[], done: boolean) =>
        summary.push(
          `${op}:${guid}:${typeName}:${name} -> ${list.map((c) => c.typeName).join(", ")}:${done ? "(Done)" : "(Partial)"}`,
        );
      if (removed.length > 0) {
        let done = true;
        for (const c of removed)
          done =
            (await attempt(ctx, guid, { op: "removeClassification", name: c.typeName })) && done;
        line("Delete", removed, done);
      }
      if (updated.length > 0)
        line(
          "Update",
          updated,
          await attempt(ctx, guid, { op: "updateClassifications", classifications: updated }),
        );
      if (added.length > 0)
        line(
          "Add",
          added,
          await attempt(ctx, guid, { op: "addClassifications", classifications: added }),
        );
    }
    ctx.body = summary;
  });

  // AtlasEntityHeaders of the entities whose classifications changed (audit events) from
  // tagUpdateStartTime (epoch ms; default 0) until now, as Atlas's ClassificationAssociator
  // answers Ranger's tag sync. Entities purged since are left out, as Atlas leaves them.
  router.on("GET", `${E}/bulk/headers`, async (ctx) => {
    const now = Date.now();
    const from = integerParam(
      ctx.query.tagUpdateStartTime,
      "tagUpdateStartTime",
      0,
      0,
      Number.MAX_SAFE_INTEGER,
    );
    if (from > now)
      throw new AtlasHttpError(
        ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.status,
        ATLAS_ERRORS.TYPEDEF_BAD_REQUEST.code,
        "fromTimestamp should be less than toTimestamp",
      );
    const guids = await api.store.classificationChanges(from, now, MAX_HEADERS + 1);
    if (guids.length > MAX_HEADERS)
      throw errors.invalid(
        `more than ${MAX_HEADERS} entities changed their classifications since ${from}; ask from a later tagUpdateStartTime`,
      );
    const guidHeaderMap: Record<string, unknown> = {};
    for (const guid of guids) {
      const found = await api.store.getByGuid(guid, { ignoreRelationships: true });
      if (found) guidHeaderMap[guid] = headerOf(found.entity);
    }
    ctx.body = { guidHeaderMap };
  });

  router.on("GET", `${E}/businessmetadata/import/template`, (ctx) => {
    ctx.set("Content-Disposition", 'attachment; filename="template_business_metadata"');
    ctx.type = "application/octet-stream";
    ctx.body = Buffer.from(BM_TEMPLATE);
  });

  // A CSV file in the form field "file": one business attribute per row.
  router.on("POST", `${E}/businessmetadata/import`, async (ctx) => {
    const rows = await readCsvUpload(ctx, api.config.limits.maxBodyBytes, () =>
      fail(ATLAS_ERRORS.FILE_NAME_NOT_FOUND, "File name should not be blank"),
    );
    ctx.body = await importBusinessMetadata(api, rows, (guid, edit) => attempt(ctx, guid, edit));
  });
}

/** Atlas's bulkCreateOrUpdateBusinessAttributes over the parsed rows (header line removed). */
async function importBusinessMetadata(
  api: ApiContext,
  rows: string[][],
  apply: (guid: string, edit: EntityEdit) => Promise<boolean>,
) {
  const failed: ImportInfo[] = [];
  const success: ImportInfo[] = [];
  const defs = new Map<string, AnyTypeDef | null>();
  const def = async (name: string) => {
    if (!defs.has(name)) defs.set(name, await api.store.getTypedef(name));
    return defs.get(name)!;
  };
  const category = async (name: string) => (await def(name))?.category;
  const isA = async (typeName: string, wanted: string): Promise<boolean> => {
    if (typeName === wanted) return true;
    const d = (await def(typeName)) as { superTypes?: string[] } | null;
    for (const s of d?.superTypes ?? []) if (await isA(s, wanted)) return true;
    return false;
  };
  const problems: string[] = [];
  const byEntity = new Map<
    string,
    { guid: string; values: Record<string, Record<string, unknown>> }
  >();
  for (const [index, record] of rows.entries()) {
    const line = `Line #${index + 2}`;
    const [typeName, uniqueValue, bmAttribute, bmValue, uniqueName] = record.map((f) => f?.trim());
    if (!typeName || !uniqueValue || !bmAttribute || !bmValue || record.length < 4) {
      problems.push(`${line}: missing fields. [${record.join(", ")}]`);
      continue;
    }
    if ((await category(typeName)) !== "ENTITY") {
      problems.push(`${line}: invalid entity-type '${typeName}'`);
      continue;
    }
    const attrName = uniqueName || "qualifiedName";
    if (attrName !== "qualifiedName") {
      problems.push(
        `${line}: attribute '${attrName}' is not an unique attribute in entity-type '${typeName}' (this server finds entities by qualifiedName)`,
      );
      continue;
    }
    const key = `${typeName}\u0000${uniqueValue}`;
    let target = byEntity.get(key);
    if (!target) {
      const found = await api.store.getByUniqueAttribute(typeName, uniqueValue, {
        ignoreRelationships: true,
      });
      if (!found) {
        problems.push(`${line}: no ${typeName} entity found with ${attrName}=${uniqueValue}`);
        continue;
      }
      target = { guid: found.entity.guid, values: {} };
      byEntity.set(key, target);
    }
    const dot = bmAttribute.indexOf(".");
    const bmName = dot > 0 ? bmAttribute.slice(0, dot) : "";
    const attr = dot > 0 ? bmAttribute.slice(dot + 1) : "";
    const bm =
      (await category(bmName)) === "BUSINESS_METADATA"
        ? ((await def(bmName)) as AtlasStructDef)
        : null;
    const attrDef = bm?.attributeDefs?.find((a) => a.name === attr);
    const applicable = parseApplicable(attrDef);
    let applies = false;
    for (const t of applicable) if (await isA(typeName, t)) applies = true;
    if (!attrDef || !applies) {
      problems.push(
        `${line}: invalid business-metadata '${bmAttribute}' for entity type '${typeName}'`,
      );
      continue;
    }
    const value = typedValue(attrDef, bmValue, await category(elementType(attrDef.typeName)));
    if (value === undefined) {
      problems.push(
        `${line}: the value '${bmValue}' of '${bmAttribute}' is not of type ${attrDef.typeName}`,
      );
      continue;
    }
    (target.values[bmName] ??= {})[attr] = value;
  }
  for (const remarks of problems) failed.push(importInfo("", "", false, remarks));
  for (const { guid, values } of byEntity.values()) {
    if (Object.keys(values).length === 0) continue;
    const text = JSON.stringify(values);
    const ok = await apply(guid, { op: "setBusinessAttributes", values, overwrite: false });
    (ok ? success : failed).push(
      importInfo(guid, text, ok, ok ? "" : "the store refused these business attributes"),
    );
  }
  return { failedImportInfoList: failed, successImportInfoList: success };
}

function parseApplicable(def: AtlasAttributeDef | undefined): string[] {
  const raw = (def?.options as Record<string, unknown> | undefined)?.applicableEntityTypes;
  if (typeof raw !== "string") return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

const elementType = (typeName: string) => /^array<(.+)>$/.exec(typeName)?.[1] ?? typeName;

/** The CSV text as the attribute's type (arrays split on `|`); undefined when it is not one. */
function typedValue(
  def: AtlasAttributeDef,
  text: string,
  elementCategory: string | undefined,
): unknown {
  const element = elementType(def.typeName);
  const one = (v: string): unknown => {
    switch (element) {
      case "byte":
      case "short":
      case "int":
      case "long":
      case "date":
        return /^-?\d+$/.test(v) ? Number(v) : undefined;
      case "float":
      case "double":
        return v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined;
      case "boolean":
        return /^(true|false)$/i.test(v) ? v.toLowerCase() === "true" : undefined;
      case "string":
        return v;
      default:
        return elementCategory === "ENUM" ? v : undefined;
    }
  };
  if (element === def.typeName) return one(text);
  const values = text.split("|").map((v) => one(v.trim()));
  return values.includes(undefined) ? undefined : values;
}
