/**
 * The rest of Atlas's v2 entity REST (EntityREST.java; docs/contracts/http.md): bulk read and
 * delete, headers, partial update of one attribute by guid, update and delete by unique
 * attribute, and what an entity carries — classifications, labels, business metadata —
 * by guid, by unique attribute and in bulk.
 */
import type { AtlasObjectId } from "@atlas-ha/atlas-model";
import type { Context } from "koa";
import { readJson, readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { EntityEdit } from "../store/extras.js";
import type { AtlasEntityDef } from "../models/typedefs.js";
import type { EntityWithReferred, MetadataStore, StoredEntity } from "../store/types.js";
import type { ApiContext } from "./context.js";
import {
  booleanParam,
  ensureEntityType,
  entityWithExtInfo,
  guidParam,
  qualifiedNameParam,
  retrieveOptions,
  stringParam,
} from "./normalize.js";

const E = "/api/atlas/v2/entity";

/** Every value of a repeated query parameter (`guid=a&guid=b`). */
function all(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== "");
}

/** True when the entity type, a supertype or a relationship end gives it attribute `name`. */
async function hasAttribute(
  store: Pick<MetadataStore, "getTypedef">,
  typeName: string,
  name: string,
): Promise<boolean> {
  const queue = [typeName];
  for (const seen = new Set<string>(); queue.length > 0;) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const def = (await store.getTypedef(next)) as AtlasEntityDef | null;
    if (!def) continue;
    const ends = (def.relationshipAttributeDefs ?? []) as { name?: unknown }[];
    if (def.attributeDefs?.some((a) => a.name === name) || ends.some((a) => a.name === name))
      return true;
    queue.push(...(def.superTypes ?? []));
  }
  return false;
}

/** Atlas's AtlasEntityHeader of a stored entity. */
export function headerOf(entity: StoredEntity): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const name of ["qualifiedName", "name", "owner", "description"]) {
    const v = entity.attributes[name];
    if (v !== undefined && v !== null) attributes[name] = v;
  }
  const text = entity.attributes.name ?? entity.attributes.qualifiedName ?? entity.guid;
  return {
    typeName: entity.typeName,
    guid: entity.guid,
    status: entity.status,
    displayText: typeof text === "string" ? text : entity.guid,
    attributes,
    classificationNames: [...new Set(entity.classifications.map((c) => c.typeName))],
    classifications: entity.classifications,
    labels: entity.labels ?? [],
    isIncomplete: entity.isIncomplete,
  };
}

export function entityMoreRoutes(router: Router, api: ApiContext): void {
  const limit = api.config.limits.maxBodyBytes;
  const user = (ctx: Context) =>
    typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
  const byUnique = (ctx: Context, typeName: string): AtlasObjectId => ({
    typeName,
    uniqueAttributes: { qualifiedName: qualifiedNameParam(ctx.query) },
  });
  const byGuid = (guid: string): AtlasObjectId => ({ guid: guidParam(guid), typeName: "" });
  const list = async (ctx: Context, what: string): Promise<unknown[]> => {
    const body = await readJson(ctx, limit);
    if (!Array.isArray(body))
      throw errors.invalid(`the request body must be a JSON list (${what})`);
    return body;
  };
  const edit = async (ctx: Context, ids: AtlasObjectId[], change: EntityEdit) => {
    await api.write((epoch) => api.store.editEntities(epoch, ids, change, user(ctx)));
    ctx.status = 204;
  };
  const read = async (guid: string) => {
    const found = await api.store.getByGuid(guidParam(guid), { ignoreRelationships: true });
    if (!found) throw errors.guidNotFound(guid);
    return found.entity;
  };

  /** AtlasEntitiesWithExtInfo of the entities `find` finds, in order; a miss is `onMissing`'s. */
  const bulk = async (
    keys: string[],
    find: (key: string) => Promise<EntityWithReferred | null>,
    onMissing: (key: string) => void,
  ) => {
    const entities: StoredEntity[] = [];
    const referredEntities: Record<string, StoredEntity> = {};
    for (const key of keys) {
      const found = await find(key);
      if (!found) {
        onMissing(key);
        continue;
      }
      entities.push(found.entity);
      Object.assign(referredEntities, found.referredEntities);
    }
    return { entities, referredEntities };
  };

  // Bulk read and delete: ?guid=…&guid=…
  router.on("GET", `${E}/bulk`, async (ctx) => {
    const guids = all(ctx.query.guid).map(guidParam);
    if (guids.length === 0) throw errors.invalid("guid: at least one is required");
    const options = retrieveOptions(ctx.query);
    ctx.body = await bulk(
      guids,
      (guid) => api.store.getByGuid(guid, options),
      (guid) => {
        throw errors.guidNotFound(guid);
      },
    );
  });
  router.on("DELETE", `${E}/bulk`, async (ctx) => {
    const guids = all(ctx.query.guid).map(guidParam);
    if (guids.length === 0) throw errors.invalid("guid: at least one is required");
    ctx.body = await api.write((epoch) => api.store.deleteByGuids(epoch, guids, user(ctx)));
  });

  router.on("GET", `${E}/guid/:guid/header`, async (ctx, { guid }) => {
    ctx.body = headerOf(await read(guid!));
  });
  router.on("GET", `${E}/uniqueAttribute/type/:typeName/header`, async (ctx, { typeName }) => {
    const qn = qualifiedNameParam(ctx.query);
    await ensureEntityType(api.store, typeName!);
    const found = await api.store.getByUniqueAttribute(typeName!, qn, {
      ignoreRelationships: true,
    });
    if (!found) throw errors.uniqueNotFound(typeName!, qn);
    ctx.body = headerOf(found.entity);
  });
  // ?attr_0:qualifiedName=…&attr_1:qualifiedName=…: the ACTIVE ones found, in that order (as Atlas, missing ones are left out).
  router.on("GET", `${E}/bulk/uniqueAttribute/type/:typeName`, async (ctx, { typeName }) => {
    await ensureEntityType(api.store, typeName!);
    const names = Object.keys(ctx.query)
      .map((key) => /^attr_(\d+):qualifiedName$/.exec(key))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => stringParam(ctx.query[m[0]]))
      .filter((qn): qn is string => qn !== undefined);
    if (names.length === 0) throw errors.invalid("attr_0:qualifiedName: at least one is required");
    const options = retrieveOptions(ctx.query);
    ctx.body = await bulk(
      names,
      (qn) => api.store.getByUniqueAttribute(typeName!, qn, options),
      () => undefined, // as Atlas: left out
    );
  });

  // PUT entity/guid/{guid}?name=attr with the new value as the body: that one attribute.
  router.on("PUT", `${E}/guid/:guid`, async (ctx, { guid }) => {
    const name = stringParam(ctx.query.name);
    if (!name) throw errors.invalid("name: required query parameter (the attribute to update)");
    const value = await readJson(ctx, limit);
    const current = await read(guid!);
    // As Atlas's updateEntityAttributeByGuid: a name the type does not have is refused (a
    // body-based update ignores such names instead; docs/contracts/model.md).
    if (!(await hasAttribute(api.store, current.typeName, name)))
      throw errors.unknownAttribute(name, current.typeName);
    const body = {
      entity: { typeName: current.typeName, attributes: { [name]: value } },
      referredEntities: {},
    };
    ctx.body = await api.write((epoch) =>
      api.store.partialUpdateByUniqueAttribute(epoch, byGuid(guid!), body as never, user(ctx)),
    );
  });

  router.on("PUT", `${E}/uniqueAttribute/type/:typeName`, async (ctx, { typeName }) => {
    const id = byUnique(ctx, typeName!);
    const { entities, referredEntities } = entityWithExtInfo(
      await readJsonObject(ctx, limit, "AtlasEntityWithExtInfo"),
    );
    const body = { entity: entities[0], referredEntities };
    ctx.body = await api.write((epoch) =>
      api.store.partialUpdateByUniqueAttribute(epoch, id, body as never, user(ctx)),
    );
  });
  router.on("DELETE", `${E}/uniqueAttribute/type/:typeName`, async (ctx, { typeName }) => {
    const id = byUnique(ctx, typeName!);
    await ensureEntityType(api.store, typeName!); // then a missing entity is a no-op, as in Atlas
    ctx.body = await api.write((epoch) => api.store.deleteByUniqueAttribute(epoch, id, user(ctx)));
  });

  // Classifications.
  router.on("GET", `${E}/guid/:guid/classifications`, async (ctx, { guid }) => {
    const found = (await read(guid!)).classifications;
    ctx.body = {
      list: found,
      pageSize: found.length,
      sortType: "NONE",
      startIndex: 0,
      totalCount: found.length,
    };
  });
  router.on("GET", `${E}/guid/:guid/classification/:name`, async (ctx, { guid, name }) => {
    const found = (await read(guid!)).classifications.find((c) => c.typeName === name);
    if (!found) throw errors.invalidClassification(name!);
    ctx.body = found;
  });
  router.on(["POST", "PUT"], `${E}/guid/:guid/classifications`, async (ctx, { guid }) => {
    const classifications = await list(ctx, "a list of AtlasClassification");
    const op = ctx.method === "POST" ? "addClassifications" : "updateClassifications";
    await edit(ctx, [byGuid(guid!)], { op, classifications });
  });
  router.on("DELETE", `${E}/guid/:guid/classification/:name`, async (ctx, { guid, name }) => {
    // associatedEntityGuid: the entity a propagated classification comes from (Atlas's EntityREST).
    const source = stringParam(ctx.query.associatedEntityGuid);
    if (source === undefined || source === guid)
      return edit(ctx, [byGuid(guid!)], { op: "removeClassification", name: name! });
    await api.write((epoch) =>
      api.store.removePropagatedClassification(
        epoch,
        guidParam(guid!),
        name!,
        guidParam(source),
        user(ctx),
      ),
    );
    ctx.status = 204;
  });
  router.on(
    ["POST", "PUT"],
    `${E}/uniqueAttribute/type/:typeName/classifications`,
    async (ctx, { typeName }) => {
      const id = byUnique(ctx, typeName!);
      const classifications = await list(ctx, "a list of AtlasClassification");
      const op = ctx.method === "POST" ? "addClassifications" : "updateClassifications";
      await edit(ctx, [id], { op, classifications });
    },
  );
  router.on(
    "DELETE",
    `${E}/uniqueAttribute/type/:typeName/classification/:name`,
    async (ctx, { typeName, name }) => {
      await edit(ctx, [byUnique(ctx, typeName!)], { op: "removeClassification", name: name! });
    },
  );
  // ClassificationAssociateRequest: one classification onto several entities.
  router.on("POST", `${E}/bulk/classification`, async (ctx) => {
    const body = await readJsonObject(ctx, limit, "ClassificationAssociateRequest");
    const guids = Array.isArray(body.entityGuids)
      ? body.entityGuids.map((g) => guidParam(String(g)))
      : [];
    if (
      guids.length === 0 ||
      typeof body.classification !== "object" ||
      body.classification === null
    )
      throw errors.invalid("a ClassificationAssociateRequest needs classification and entityGuids");
    await edit(ctx, guids.map(byGuid), {
      op: "addClassifications",
      classifications: [body.classification],
    });
  });

  // Labels: POST sets, PUT adds, DELETE removes (as Atlas's EntityREST).
  const labelOp = (method: string) =>
    method === "POST" ? "setLabels" : method === "PUT" ? "addLabels" : "removeLabels";
  router.on(["POST", "PUT", "DELETE"], `${E}/guid/:guid/labels`, async (ctx, { guid }) => {
    const labels = await readJson(ctx, limit);
    await edit(ctx, [byGuid(guid!)], { op: labelOp(ctx.method), labels });
  });
  router.on(
    ["POST", "PUT", "DELETE"],
    `${E}/uniqueAttribute/type/:typeName/labels`,
    async (ctx, { typeName }) => {
      const id = byUnique(ctx, typeName!);
      const labels = await readJson(ctx, limit);
      await edit(ctx, [id], { op: labelOp(ctx.method), labels });
    },
  );

  // Business metadata: {bmName: {attr: value}}, or the attributes of one named bm.
  router.on(["POST", "DELETE"], `${E}/guid/:guid/businessmetadata`, async (ctx, { guid }) => {
    const values = await readJsonObject(ctx, limit, "business attributes");
    const overwrite = booleanParam(ctx.query.isOverwrite, "isOverwrite", false);
    const change: EntityEdit =
      ctx.method === "POST"
        ? { op: "setBusinessAttributes", values, overwrite }
        : { op: "removeBusinessAttributes", values };
    await edit(ctx, [byGuid(guid!)], change);
  });
  router.on(
    ["POST", "DELETE"],
    `${E}/guid/:guid/businessmetadata/:bmName`,
    async (ctx, { guid, bmName }) => {
      const values = { [bmName!]: await readJsonObject(ctx, limit, "business attributes") };
      const change: EntityEdit =
        ctx.method === "POST"
          ? { op: "setBusinessAttributes", values, overwrite: false }
          : { op: "removeBusinessAttributes", values };
      await edit(ctx, [byGuid(guid!)], change);
    },
  );
}
