/**
 * Atlas's audit aging, `POST admin/audits/ageout[?useAuditConfig=true]` with an
 * AuditReductionCriteria body (Atlas's AdminResource.ageoutAuditData and
 * AtlasAuditReductionService.buildAgeoutCriteriaForAllAgingTypes): the criteria become up to
 * three aging runs (SWEEP, CUSTOM, DEFAULT) with Atlas's floors (a TTL of at least
 * `atlas.audit.min.ttl.to.maintain` days, a count of at least `atlas.audit.min.count.to.maintain`)
 * and are applied at once in one fenced write (store/audit-ageout.ts). The answer is Atlas's
 * list of AtlasTask, one per run, already COMPLETE. Aging not enabled: 204, as Atlas's null.
 * Atlas also runs aging on a schedule (`atlas.audit.aging.scheduler.*`); this server does not.
 */
import { readJsonObject } from "../http/body.js";
import { errors } from "../http/errors.js";
import type { Router } from "../http/router.js";
import { AUDIT_ACTIONS, type AuditAction } from "../store/audit.js";
import type { AuditAgeoutCriteria, AuditAgingType } from "../store/audit-ageout.js";
import { ADMIN } from "./admin.js";
import type { ApiContext } from "./context.js";

/** Atlas's AuditReductionCriteria fields and their kinds. */
const BOOLEANS = [
  "auditAgingEnabled",
  "defaultAgeoutEnabled",
  "auditSweepoutEnabled",
  "createEventsAgeoutAllowed",
  "subTypesIncluded",
  "ignoreDefaultAgeoutTTL",
] as const;
const INTEGERS = [
  "defaultAgeoutAuditCount",
  "defaultAgeoutTTLInDays",
  "customAgeoutAuditCount",
  "customAgeoutTTLInDays",
] as const;
const STRINGS = [
  "customAgeoutEntityTypes",
  "customAgeoutActionTypes",
  "sweepoutEntityTypes",
  "sweepoutActionTypes",
] as const;

type Criteria = Record<(typeof BOOLEANS)[number], boolean> &
  Record<(typeof INTEGERS)[number], number> &
  Record<(typeof STRINGS)[number], string | null>;

/** The body as Atlas's Jackson would bind it: absent fields false / 0 / null, wrong kinds a 400. */
export function readCriteria(body: Record<string, unknown>): Criteria {
  const out: Record<string, unknown> = {};
  for (const key of BOOLEANS) {
    const v = body[key] ?? false;
    if (typeof v !== "boolean") throw errors.invalid(`${key}: expected true or false`);
    out[key] = v;
  }
  for (const key of INTEGERS) {
    const v = body[key] ?? 0;
    if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)
      throw errors.invalid(`${key}: expected an integer`);
    out[key] = v;
  }
  for (const key of STRINGS) {
    const v = body[key] ?? null;
    if (v !== null && typeof v !== "string")
      throw errors.invalid(`${key}: expected a comma-separated string`);
    out[key] = v;
  }
  return out as Criteria;
}

/** Atlas's configuration keys for aging, with its defaults (AtlasConfiguration). */
const CONFIG = {
  enabled: ["atlas.audit.aging.enabled", false],
  defaultEnabled: ["atlas.audit.default.ageout.enabled", true],
  defaultTtl: ["atlas.audit.default.ageout.ttl.in.days", 90],
  defaultCount: ["atlas.audit.default.ageout.count", 0],
  customTtl: ["atlas.audit.custom.ageout.ttl.in.days", 0],
  customCount: ["atlas.audit.custom.ageout.count", 0],
  sweepOut: ["atlas.audit.sweep.out.enabled", false],
  createAllowed: ["atlas.audit.create.events.ageout.allowed", false],
  subTypes: ["atlas.audit.aging.subtypes.included", true],
  minTtl: ["atlas.audit.min.ttl.to.maintain", 7],
  minCount: ["atlas.audit.min.count.to.maintain", 50],
  ignoreTtl: ["atlas.audit.default.ageout.ignore.ttl", false],
} as const;

type Properties = Readonly<Record<string, string | undefined>>;

function setting<T extends boolean | number>(
  props: Properties,
  [key, fallback]: readonly [string, T],
): T {
  const raw = props[key]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (typeof fallback === "boolean") {
    if (raw.toLowerCase() !== "true" && raw.toLowerCase() !== "false")
      throw errors.invalid(`${key}: expected true or false in the configuration`);
    return (raw.toLowerCase() === "true") as T;
  }
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw errors.invalid(`${key}: expected an integer in the configuration`);
  return n as T;
}

/** Atlas's startAuditAgingByConfig: the criteria the configuration file describes. */
function criteriaFromConfig(props: Properties): Criteria {
  const list = (key: string) => props[key]?.trim() || null;
  const sweep = setting(props, CONFIG.sweepOut);
  return {
    auditAgingEnabled: setting(props, CONFIG.enabled),
    defaultAgeoutEnabled: setting(props, CONFIG.defaultEnabled),
    auditSweepoutEnabled: sweep,
    createEventsAgeoutAllowed: setting(props, CONFIG.createAllowed),
    subTypesIncluded: setting(props, CONFIG.subTypes),
    ignoreDefaultAgeoutTTL: setting(props, CONFIG.ignoreTtl),
    defaultAgeoutAuditCount: setting(props, CONFIG.defaultCount),
    defaultAgeoutTTLInDays: setting(props, CONFIG.defaultTtl),
    customAgeoutAuditCount: setting(props, CONFIG.customCount),
    customAgeoutTTLInDays: setting(props, CONFIG.customTtl),
    customAgeoutEntityTypes: list("atlas.audit.custom.ageout.entity.types"),
    customAgeoutActionTypes: list("atlas.audit.custom.ageout.action.types"),
    sweepoutEntityTypes: sweep ? list("atlas.audit.sweep.out.entity.types") : null,
    sweepoutActionTypes: sweep ? list("atlas.audit.sweep.out.action.types") : null,
  };
}

const names = (value: string | null): string[] => [
  ...new Set(
    (value ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  ),
];

/**
 * Atlas's getValidActionTypes: `CLASSIFICATION_*` matches by prefix, `*ADD` anywhere; names
 * matching nothing are dropped, and a list of which none matches is refused.
 */
function actionTypes(value: string | null, where: string): AuditAction[] {
  const asked = names(value);
  const matched = new Set<AuditAction>();
  for (const name of asked) {
    const bare = name.replaceAll("*", "");
    const hits = AUDIT_ACTIONS.filter((a) =>
      name.startsWith("*") ? a.includes(bare) : a.startsWith(bare),
    );
    for (const hit of hits) matched.add(hit);
  }
  if (asked.length > 0 && matched.size === 0)
    throw errors.invalid(`${where}: no audit action is named ${asked.join(", ")}`);
  return [...matched];
}

/** Atlas's buildAgeoutCriteriaForAllAgingTypes, with the floors from the configuration. */
export function agingRuns(c: Criteria, props: Properties): AuditAgeoutCriteria[] {
  const minTtl = setting(props, CONFIG.minTtl);
  const minCount = setting(props, CONFIG.minCount);
  const floor = (value: number, min: number) => (value <= 0 ? value : Math.max(value, min));
  const defaultTtl = c.ignoreDefaultAgeoutTTL ? 0 : Math.max(c.defaultAgeoutTTLInDays, minTtl);
  const defaultCount = floor(c.defaultAgeoutAuditCount, minCount);
  const customTtl = floor(c.customAgeoutTTLInDays, minTtl);
  const customCount = floor(c.customAgeoutAuditCount, minCount);
  const customTypes = names(c.customAgeoutEntityTypes);
  let customActions = actionTypes(c.customAgeoutActionTypes, "customAgeoutActionTypes");
  let defaultActions: AuditAction[] = [...AUDIT_ACTIONS];
  const defaultExcluded = new Set(customTypes);
  if (customTypes.length === 0)
    defaultActions = defaultActions.filter((a) => !customActions.includes(a));
  const common = {
    createEventsAgeoutAllowed: c.createEventsAgeoutAllowed,
    subTypesIncluded: c.subTypesIncluded,
  };
  const runs: AuditAgeoutCriteria[] = [];
  let custom = customTypes;
  if (c.auditSweepoutEnabled) {
    const sweepTypes = names(c.sweepoutEntityTypes);
    const sweepActions = actionTypes(c.sweepoutActionTypes, "sweepoutActionTypes");
    if (sweepTypes.length === 0 && sweepActions.length === 0)
      throw errors.invalid(
        "auditSweepoutEnabled: sweepoutEntityTypes or sweepoutActionTypes must name something",
      );
    runs.push({
      type: "SWEEP",
      ttlDays: 0,
      count: 0,
      entityTypes: sweepTypes,
      actionTypes: sweepActions,
      ...common,
    });
    for (const t of sweepTypes) defaultExcluded.add(t);
    custom = custom.filter((t) => !sweepTypes.includes(t));
    if (sweepTypes.length === 0) {
      defaultActions = defaultActions.filter((a) => !sweepActions.includes(a));
      customActions = customActions.filter((a) => !sweepActions.includes(a));
    }
  }
  if ((customTtl > 0 || customCount > 0) && (custom.length > 0 || customActions.length > 0))
    runs.push({
      type: "CUSTOM",
      ttlDays: customTtl,
      count: customCount,
      entityTypes: custom,
      actionTypes: customActions,
      ...common,
    });
  else if (custom.length > 0 || customActions.length > 0)
    throw errors.invalid(
      "customAgeoutTTLInDays or customAgeoutAuditCount must be set for custom audit aging",
    );
  else if (customTtl > 0 || customCount > 0)
    throw errors.invalid(
      "customAgeoutEntityTypes or customAgeoutActionTypes must be set for custom audit aging",
    );
  if (c.defaultAgeoutEnabled) {
    if (c.ignoreDefaultAgeoutTTL && defaultCount <= 0)
      throw errors.invalid(
        "defaultAgeoutAuditCount must be set when ignoreDefaultAgeoutTTL is true",
      );
    // All actions: no action filter, as Atlas does.
    if (defaultActions.length === AUDIT_ACTIONS.length) defaultActions = [];
    runs.push({
      type: "DEFAULT",
      ttlDays: defaultTtl,
      count: defaultCount,
      entityTypes: [...defaultExcluded],
      actionTypes: defaultActions,
      ...common,
    });
  }
  return runs;
}

/** Atlas's AtlasTask of one aging run (type AUDIT_REDUCTION_ENTITY_RETRIEVAL), as it ended. */
function task(
  run: AuditAgeoutCriteria,
  outcome: { removed: number; skipped: boolean },
  meta: { guid: string; user: string; started: number; ended: number },
) {
  return {
    type: "AUDIT_REDUCTION_ENTITY_RETRIEVAL",
    guid: meta.guid,
    createdBy: meta.user,
    createdTime: meta.started,
    updatedTime: meta.ended,
    startTime: meta.started,
    endTime: meta.ended,
    parameters: {
      auditAgingType: run.type satisfies AuditAgingType,
      ttl: run.ttlDays,
      auditCount: run.count,
      entityTypes: run.entityTypes,
      actionTypes: run.actionTypes,
      createEventsAgeoutAllowed: run.createEventsAgeoutAllowed,
      subTypesIncluded: run.subTypesIncluded,
      excludeEntityTypes: run.type === "DEFAULT" && run.entityTypes.length > 0,
      // Ours: what the run did (Atlas's tasks report it only in the server log).
      removedAuditEvents: outcome.removed,
    },
    attemptCount: 1,
    errorMessage: outcome.skipped ? "none of the entity types is known" : null,
    status: outcome.skipped ? "FAILED" : "COMPLETE",
  };
}

export function auditAgeoutRoutes(router: Router, api: ApiContext): void {
  router.on("POST", `${ADMIN}/audits/ageout`, async (ctx) => {
    const useConfig = String(ctx.query.useAuditConfig ?? "false").toLowerCase();
    if (useConfig !== "true" && useConfig !== "false")
      throw errors.invalid("useAuditConfig: expected true or false");
    const props = api.config.properties as Properties;
    const criteria =
      useConfig === "true"
        ? criteriaFromConfig(props)
        : readCriteria(
            await readJsonObject(ctx, api.config.limits.maxBodyBytes, "AuditReductionCriteria"),
          );
    if (!criteria.auditAgingEnabled) {
      ctx.status = 204;
      return;
    }
    // Atlas's updateCriteriaWithDefaultValues: an unset default TTL is the configured one.
    if (useConfig === "false" && criteria.defaultAgeoutTTLInDays <= 0)
      criteria.defaultAgeoutTTLInDays = setting(props, CONFIG.defaultTtl);
    const runs = agingRuns(criteria, props);
    const user = typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
    const started = Date.now();
    const outcomes = await api.write((epoch) => api.store.ageoutAudits(epoch, runs, user));
    const ended = Date.now();
    api.logger.info({
      event: "audit_ageout",
      user,
      runs: runs.map((r, i) => ({ type: r.type, removed: outcomes[i]!.removed })),
    });
    ctx.body = runs.map((run, i) =>
      task(run, outcomes[i]!, { guid: crypto.randomUUID(), user, started, ended }),
    );
  });
}
