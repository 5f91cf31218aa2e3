/**
 * Atlas v2 glossary REST (GlossaryREST; docs/contracts/http.md): glossaries, terms and
 * categories — create (one or in bulk), read (alone, listed, as headers, in detail), update
 * (whole or `…/partial`), delete — and the assignment of terms to entities. Lists take
 * Atlas's `limit` (-1: all), `offset` and `sort` (ASC or DESC, by name).
 */
import { readJson } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { GlossaryPage } from "../store/glossary-store.js";
import type { ApiContext } from "./context.js";
import { guidParam, integerParam, stringParam } from "./normalize.js";

const GLOSSARY = "/api/atlas/v2/glossary";
const MAX_PAGE = 100_000;

/** Atlas's `limit`, `offset` and `sort`; a value it cannot honour is a 400 (Atlas falls back silently). */
export function pageParams(query: Record<string, unknown>): GlossaryPage {
  const sort = stringParam(query.sort) ?? "ASC";
  if (sort !== "ASC" && sort !== "DESC")
    throw errors.invalid(`sort: expected ASC or DESC, got ${JSON.stringify(sort)}`);
  return {
    limit: integerParam(query.limit, "limit", -1, -1, MAX_PAGE),
    offset: integerParam(query.offset, "offset", 0, 0, Number.MAX_SAFE_INTEGER),
    descending: sort === "DESC",
  };
}

export function glossaryRoutes(router: Router, api: ApiContext): void {
  const limit = api.config.limits.maxBodyBytes;
  const g = api.store.glossary;
  const user = (state: Record<string, unknown>) =>
    typeof state.user === "string" ? state.user : "anonymous";
  const body = (ctx: Parameters<Parameters<Router["on"]>[2]>[0]) => readJson(ctx, limit);
  const list = async (ctx: Parameters<Parameters<Router["on"]>[2]>[0], what: string) => {
    const value = await readJson(ctx, limit);
    if (!Array.isArray(value) || value.length === 0)
      throw errors.invalid(`the request body must be a non-empty JSON list (${what})`);
    return value as unknown[];
  };
  const write = <T>(
    ctx: { state: Record<string, unknown> },
    op: (epoch: number, u: string) => Promise<T>,
  ) => api.write((epoch) => op(epoch, user(ctx.state)));

  // ----------------------------------------------------------------- terms
  router.on("POST", `${GLOSSARY}/term`, async (ctx) => {
    const term = await body(ctx);
    ctx.body = (await write(ctx, (e, u) => g.createTerms(e, [term], u)))[0];
  });
  router.on("POST", `${GLOSSARY}/terms`, async (ctx) => {
    const terms = await list(ctx, "AtlasGlossaryTerm");
    ctx.body = await write(ctx, (e, u) => g.createTerms(e, terms, u));
  });
  router.on("GET", `${GLOSSARY}/term/:guid`, async (ctx, { guid }) => {
    ctx.body = await g.term(guidParam(guid!));
  });
  router.on("PUT", `${GLOSSARY}/term/:guid`, async (ctx, { guid }) => {
    const term = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.updateTerm(e, guidParam(guid!), term, u));
  });
  router.on("PUT", `${GLOSSARY}/term/:guid/partial`, async (ctx, { guid }) => {
    const updates = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.partialUpdateTerm(e, guidParam(guid!), updates, u));
  });
  router.on("DELETE", `${GLOSSARY}/term/:guid`, async (ctx, { guid }) => {
    await write(ctx, (e, u) => g.deleteTerm(e, guidParam(guid!), u));
    ctx.status = 204;
  });
  router.on("GET", `${GLOSSARY}/terms/:guid/related`, async (ctx, { guid }) => {
    ctx.body = await g.relatedTerms(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("GET", `${GLOSSARY}/terms/:guid/assignedEntities`, async (ctx, { guid }) => {
    ctx.body = await g.assignedEntities(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("POST", `${GLOSSARY}/terms/:guid/assignedEntities`, async (ctx, { guid }) => {
    const ids = await body(ctx);
    await write(ctx, (e, u) => g.assignTerm(e, guidParam(guid!), ids, u));
    ctx.status = 204;
  });
  // Atlas has both: PUT (disassociateTermAssignmentFromEntities) and DELETE.
  router.on(
    ["PUT", "DELETE"],
    `${GLOSSARY}/terms/:guid/assignedEntities`,
    async (ctx, { guid }) => {
      const ids = await body(ctx);
      await write(ctx, (e, u) => g.disassociateTerm(e, guidParam(guid!), ids, u));
      ctx.status = 204;
    },
  );

  // ------------------------------------------------------------ categories
  router.on("POST", `${GLOSSARY}/category`, async (ctx) => {
    const category = await body(ctx);
    ctx.body = (await write(ctx, (e, u) => g.createCategories(e, [category], u)))[0];
  });
  router.on("POST", `${GLOSSARY}/categories`, async (ctx) => {
    const categories = await list(ctx, "AtlasGlossaryCategory");
    ctx.body = await write(ctx, (e, u) => g.createCategories(e, categories, u));
  });
  router.on("GET", `${GLOSSARY}/category/:guid`, async (ctx, { guid }) => {
    ctx.body = await g.category(guidParam(guid!));
  });
  router.on("PUT", `${GLOSSARY}/category/:guid`, async (ctx, { guid }) => {
    const category = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.updateCategory(e, guidParam(guid!), category, u));
  });
  router.on("PUT", `${GLOSSARY}/category/:guid/partial`, async (ctx, { guid }) => {
    const updates = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.partialUpdateCategory(e, guidParam(guid!), updates, u));
  });
  router.on("DELETE", `${GLOSSARY}/category/:guid`, async (ctx, { guid }) => {
    await write(ctx, (e, u) => g.deleteCategory(e, guidParam(guid!), u));
    ctx.status = 204;
  });
  router.on("GET", `${GLOSSARY}/category/:guid/terms`, async (ctx, { guid }) => {
    ctx.body = await g.categoryTerms(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("GET", `${GLOSSARY}/category/:guid/related`, async (ctx, { guid }) => {
    ctx.body = await g.relatedCategories(guidParam(guid!), pageParams(ctx.query));
  });

  // ------------------------------------------------------------ glossaries
  router.on("GET", GLOSSARY, async (ctx) => {
    ctx.body = await g.glossaries(pageParams(ctx.query));
  });
  router.on("POST", GLOSSARY, async (ctx) => {
    const glossary = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.createGlossary(e, glossary, u));
  });
  router.on("GET", `${GLOSSARY}/:guid`, async (ctx, { guid }) => {
    ctx.body = await g.glossary(guidParam(guid!));
  });
  router.on("PUT", `${GLOSSARY}/:guid`, async (ctx, { guid }) => {
    const glossary = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.updateGlossary(e, guidParam(guid!), glossary, u));
  });
  router.on("PUT", `${GLOSSARY}/:guid/partial`, async (ctx, { guid }) => {
    const updates = await body(ctx);
    ctx.body = await write(ctx, (e, u) => g.partialUpdateGlossary(e, guidParam(guid!), updates, u));
  });
  router.on("DELETE", `${GLOSSARY}/:guid`, async (ctx, { guid }) => {
    await write(ctx, (e, u) => g.deleteGlossary(e, guidParam(guid!), u));
    ctx.status = 204;
  });
  router.on("GET", `${GLOSSARY}/:guid/detailed`, async (ctx, { guid }) => {
    ctx.body = await g.detailedGlossary(guidParam(guid!));
  });
  router.on("GET", `${GLOSSARY}/:guid/terms`, async (ctx, { guid }) => {
    ctx.body = await g.glossaryTerms(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("GET", `${GLOSSARY}/:guid/terms/headers`, async (ctx, { guid }) => {
    ctx.body = await g.glossaryTermHeaders(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("GET", `${GLOSSARY}/:guid/categories`, async (ctx, { guid }) => {
    ctx.body = await g.glossaryCategories(guidParam(guid!), pageParams(ctx.query));
  });
  router.on("GET", `${GLOSSARY}/:guid/categories/headers`, async (ctx, { guid }) => {
    ctx.body = await g.glossaryCategoryHeaders(guidParam(guid!), pageParams(ctx.query));
  });
}
