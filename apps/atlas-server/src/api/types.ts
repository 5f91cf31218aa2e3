/**
 * The Types family of Atlas's v2 API, as TypesREST serves it (docs/contracts/http.md):
 * typedefs in bulk (GET with Atlas's search filter, POST, PUT, DELETE), their headers, one
 * typedef by name or guid (any kind, or per kind: enumdef, structdef, …) and DELETE by name.
 */
import type { Context } from "koa";
import { readJsonObject } from "../http/body.js";
import { AtlasHttpError, errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import {
  CATEGORY_LISTS,
  type AnyTypeDef,
  type AtlasTypesDef,
  type TypeCategory,
} from "../models/typedefs.js";
import {
  rootTypedef,
  systemTypeCategory,
  typedefHeaders,
  type TypedefFilter,
} from "../store/typedefs.js";
import { StoreTypedefNotFoundError } from "../store/errors.js";
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { ApiContext } from "./context.js";
import { booleanParam } from "./normalize.js";

const TYPES = "/api/atlas/v2/types";
const KINDS: readonly string[] = Object.values(CATEGORY_LISTS);
/** The per-kind routes and the category each serves (Atlas's getEnumDefByName, …). */
const PER_KIND: Record<string, TypeCategory> = {
  enumdef: "ENUM",
  structdef: "STRUCT",
  classificationdef: "CLASSIFICATION",
  entitydef: "ENTITY",
  relationshipdef: "RELATIONSHIP",
  businessmetadatadef: "BUSINESS_METADATA",
};
/** Atlas's Servlets.validateQueryParamLength default (atlas.rest.max.query.param.length). */
const MAX_PARAM_LENGTH = 4096;

function param(value: string, name: string): string {
  if (value.length > MAX_PARAM_LENGTH)
    throw errors.invalid(`Length of query param ${name} exceeds the limit`);
  return value;
}

/** Atlas's getSearchFilter: first value of each parameter; excludeInternalTypesAndReferences. */
function searchFilter(ctx: Context): TypedefFilter {
  const first = (key: string): string | undefined => {
    const raw = ctx.query[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  const filter: TypedefFilter = {
    type: first("type"),
    name: first("name"),
    supertype: first("supertype"),
    notsupertype: first("notsupertype"),
    servicetype: first("servicetype"),
    notservicetype: first("notservicetype"),
    notname: first("notname") === undefined ? [] : [first("notname")!],
  };
  for (const [key, raw] of Object.entries(ctx.query)) {
    if (key.toLowerCase() !== "excludeinternaltypesandreferences") continue;
    if (!booleanParam(raw, key, false)) continue;
    filter.notname!.push("__internal");
    filter.notsupertype ??= "__internal";
  }
  return filter;
}

/** A typedefs body: the six lists; anything else in it is refused, so nothing is half-read. */
async function typesBody(ctx: Context, api: ApiContext): Promise<Partial<AtlasTypesDef>> {
  const body = await readJsonObject(ctx, api.config.limits.maxBodyBytes, "AtlasTypesDef");
  const defs: Record<string, unknown[]> = {};
  for (const [key, list] of Object.entries(body)) {
    if (!KINDS.includes(key)) {
      throw new AtlasHttpError(
        400,
        ATLAS_ERRORS.INVALID_TYPEDEF.code,
        `Invalid type definition: unknown list ${JSON.stringify(key.slice(0, 80))}; expected ${KINDS.join(", ")}`,
      );
    }
    if (list === null) continue;
    if (!Array.isArray(list)) throw errors.invalid(`${key}: expected a list`);
    if (list.length > 0) defs[key] = list;
  }
  if (Object.keys(defs).length === 0) throw errors.invalid("no type definitions in the request");
  return defs;
}

function user(ctx: Context): string {
  return typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
}

/** Atlas's getByName: a primitive, array or map type is a 400 SYSTEM_TYPE, unknown a 404. */
async function byName(api: ApiContext, name: string): Promise<AnyTypeDef> {
  const found = await api.store.getTypedef(param(name, "name"));
  if (found) return found;
  const system = systemTypeCategory(name);
  if (system)
    throw new AtlasHttpError(400, ATLAS_ERRORS.SYSTEM_TYPE.code, `${system} is a System-type`);
  throw new StoreTypedefNotFoundError({ name });
}

async function byGuid(api: ApiContext, guid: string): Promise<AnyTypeDef> {
  const found = await api.store.getTypedefByGuid(param(guid, "guid"));
  if (!found) throw new StoreTypedefNotFoundError({ guid });
  return found;
}

export function typeRoutes(router: Router, api: ApiContext): void {
  router.on("GET", `${TYPES}/typedefs`, async (ctx) => {
    ctx.body = await api.store.getTypedefs(searchFilter(ctx));
  });
  router.on("GET", `${TYPES}/typedefs/headers`, async (ctx) => {
    ctx.body = typedefHeaders(await api.store.getTypedefs(searchFilter(ctx)));
  });
  router.on("POST", `${TYPES}/typedefs`, async (ctx) => {
    const defs = await typesBody(ctx, api);
    ctx.body = await api.write((epoch) => api.store.createTypedefs(epoch, defs, user(ctx)));
  });
  router.on("PUT", `${TYPES}/typedefs`, async (ctx) => {
    const defs = await typesBody(ctx, api);
    ctx.body = await api.write((epoch) => api.store.updateTypedefs(epoch, defs, user(ctx)));
  });
  router.on("DELETE", `${TYPES}/typedefs`, async (ctx) => {
    const defs = await typesBody(ctx, api);
    const force = booleanParam(ctx.query.force, "force", false);
    await api.write((epoch) => api.store.deleteTypedefs(epoch, defs, user(ctx), { force }));
    ctx.status = 204;
  });

  router.on("GET", `${TYPES}/typedef/name/:name`, async (ctx, { name }) => {
    ctx.body = await byName(api, name!);
  });
  router.on("GET", `${TYPES}/typedef/guid/:guid`, async (ctx, { guid }) => {
    ctx.body = await byGuid(api, guid!);
  });
  router.on("DELETE", `${TYPES}/typedef/name/:name`, async (ctx, { name }) => {
    const force = booleanParam(ctx.query.force, "force", false);
    const found = await api.store.getTypedef(param(name!, "name"));
    if (!found) throw new StoreTypedefNotFoundError({ name: name! });
    const kind = CATEGORY_LISTS[found.category!];
    await api.write((epoch) =>
      api.store.deleteTypedefs(epoch, { [kind]: [{ name: found.name }] }, user(ctx), { force }),
    );
    ctx.status = 204;
  });

  for (const [path, category] of Object.entries(PER_KIND)) {
    router.on("GET", `${TYPES}/${path}/name/:name`, async (ctx, { name }) => {
      const found = await api.store.getTypedef(param(name!, "name"));
      if (found?.category === category) {
        ctx.body = found;
        return;
      }
      const root = rootTypedef(category, name!);
      if (!root) throw new StoreTypedefNotFoundError({ name: name! });
      ctx.body = root;
    });
    router.on("GET", `${TYPES}/${path}/guid/:guid`, async (ctx, { guid }) => {
      const found = await api.store.getTypedefByGuid(param(guid!, "guid"));
      if (found?.category !== category) throw new StoreTypedefNotFoundError({ guid: guid! });
      ctx.body = found;
    });
  }
}
