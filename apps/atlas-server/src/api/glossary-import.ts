/**
 * The glossary's CSV import (Atlas's GlossaryREST `import` and `import/template`; its
 * GlossaryService.importGlossaryData): one term per row, `GlossaryName, TermName,
 * ShortDescription, LongDescription, Examples, Abbreviation, Usage, AdditionalAttributes`,
 * then the term's relations, each a `|`-separated list of `GlossaryName:TermName`. As in
 * Atlas, a glossary named but missing is created, every term is created first (each its own
 * write; a row that fails is reported and the others go on), then the relations are added in a
 * second pass, so a row may name a term of a later row. Nothing created: 409 "Glossary import
 * failed".
 */
import { ATLAS_ERRORS } from "@atlas-ha/shared";
import type { Context } from "koa";
import { toHttpError } from "../http/errors.js";
import type { Router } from "../http/router.js";
import type { ApiContext } from "./context.js";
import { fail, importInfo, readCsvUpload, type ImportInfo } from "./upload.js";

const GLOSSARY = "/api/atlas/v2/glossary";
/** Atlas's GlossaryTermUtils.getGlossaryTermHeaders(), joined as Atlas joins them. */
export const GLOSSARY_TEMPLATE = [
  "GlossaryName",
  "TermName",
  "ShortDescription",
  "LongDescription",
  "Examples",
  "Abbreviation",
  "Usage",
  "AdditionalAttributes",
  "TranslationTerms",
  "ValidValuesFor",
  "Synonyms",
  "ReplacedBy",
  "ValidValues",
  "ReplacementTerms",
  "SeeAlso",
  "TranslatedTerms",
  "IsA",
  "Antonyms",
  "Classifies",
  "PreferredToTerms",
  "PreferredTerms",
].join(", ");
/** The term attributes of the relation columns, in column order (from index 8). */
const RELATION_COLUMNS = [
  "translationTerms",
  "validValuesFor",
  "synonyms",
  "replacedBy",
  "validValues",
  "replacementTerms",
  "seeAlso",
  "translatedTerms",
  "isA",
  "antonyms",
  "classifies",
  "preferredToTerms",
  "preferredTerms",
] as const;

type Json = Record<string, unknown>;
const text = (record: string[], i: number) => {
  const v = record[i]?.trim();
  return v ? v : undefined;
};
const list = (value: string | undefined) => (value ? value.split("|") : undefined);

export function glossaryImportRoutes(router: Router, api: ApiContext): void {
  router.on("GET", `${GLOSSARY}/import/template`, (ctx) => {
    ctx.set("Content-Disposition", 'attachment; filename="template_glossary_term"');
    ctx.type = "application/octet-stream";
    ctx.body = Buffer.from(GLOSSARY_TEMPLATE);
  });
  router.on("POST", `${GLOSSARY}/import`, async (ctx) => {
    // Atlas answers a missing file name with its file-type error here.
    const rows = await readCsvUpload(ctx, api.config.limits.maxBodyBytes, () =>
      fail(
        ATLAS_ERRORS.INVALID_FILE_TYPE,
        "The provided file type: null is not supported. Expected file format is .csv",
      ),
    );
    ctx.body = await importTerms(api, ctx, rows);
  });
}

async function importTerms(api: ApiContext, ctx: Context, rows: string[][]) {
  const user = typeof ctx.state.user === "string" ? ctx.state.user : "anonymous";
  const g = api.store.glossary;
  const failed: ImportInfo[] = [];
  const success: ImportInfo[] = [];
  /** Runs a write; a refusal the client caused is its message, anything else is thrown. */
  const attempt = async <T>(op: (epoch: number) => Promise<T>): Promise<T | Error> => {
    try {
      return await api.write(op);
    } catch (error) {
      const answer = toHttpError(error);
      if (!answer || answer.status >= 500) throw error;
      return answer;
    }
  };
  const glossaries = new Map<string, string | Error>();
  const glossaryGuid = async (name: string): Promise<string | Error> => {
    if (!glossaries.has(name)) {
      const found = await api.store.getByUniqueAttribute("AtlasGlossary", name, {
        ignoreRelationships: true,
      });
      if (found) glossaries.set(name, found.entity.guid);
      else {
        const made = await attempt((epoch) => g.createGlossary(epoch, { name }, user));
        glossaries.set(name, made instanceof Error ? made : (made.guid as string));
      }
    }
    return glossaries.get(name)!;
  };

  // Pass 1: the terms, without their relations.
  const created: Array<{ record: string[]; glossary: string; name: string; guid: string }> = [];
  for (const record of rows) {
    const glossary = text(record, 0);
    const name = text(record, 1);
    if (!glossary) {
      failed.push(
        importInfo(
          "",
          name ?? "",
          false,
          `The GlossaryName is blank for the record : [${record.join(", ")}]`,
        ),
      );
      continue;
    }
    if (!name) {
      failed.push(
        importInfo(
          glossary,
          "",
          false,
          `The TermName is blank for provided record: [${record.join(", ")}]`,
        ),
      );
      continue;
    }
    const anchor = await glossaryGuid(glossary);
    if (anchor instanceof Error) {
      failed.push(importInfo(glossary, name, false, anchor.message));
      continue;
    }
    const additional = text(record, 7);
    const attributes: Json = {};
    let badPair = false;
    for (const pair of list(additional) ?? []) {
      const [k, v, ...rest] = pair.split(":");
      if (k === undefined || v === undefined || rest.length > 0) badPair = true;
      else attributes[k] = v;
    }
    if (badPair) {
      failed.push(
        importInfo(
          glossary,
          name,
          false,
          `The Data in the uploaded file is incorrectly specified  : ${additional}\nAdditionalAttributes needs to be a key:value pair`,
        ),
      );
      continue;
    }
    const body: Json = {
      name,
      anchor: { glossaryGuid: anchor },
      ...(text(record, 2) ? { shortDescription: text(record, 2) } : {}),
      ...(text(record, 3) ? { longDescription: text(record, 3) } : {}),
      ...(list(text(record, 4)) ? { examples: list(text(record, 4)) } : {}),
      ...(text(record, 5) ? { abbreviation: text(record, 5) } : {}),
      ...(text(record, 6) ? { usage: text(record, 6) } : {}),
      ...(additional ? { additionalAttributes: attributes } : {}),
    };
    const result = await attempt((epoch) => g.createTerms(epoch, [body], user));
    if (result instanceof Error) {
      failed.push(importInfo(glossary, name, false, result.message));
      continue;
    }
    const term = result[0]!;
    success.push(
      importInfo(
        glossary,
        name,
        true,
        JSON.stringify({ termGuid: term.guid, qualifiedName: term.qualifiedName }),
      ),
    );
    created.push({ record, glossary, name, guid: term.guid as string });
  }
  if (success.length === 0)
    throw fail(ATLAS_ERRORS.GLOSSARY_IMPORT_FAILED, "Glossary import failed");

  // Pass 2: the relations, now that every term of the file exists.
  for (const { record, glossary, name, guid } of created) {
    const problems: string[] = [];
    const adds = new Map<string, string[]>();
    for (const [i, attribute] of RELATION_COLUMNS.entries()) {
      for (const ref of list(text(record, 8 + i)) ?? []) {
        const parts = ref.split(":");
        if (parts.length !== 2 || !parts[0] || !parts[1]) {
          problems.push(`Incorrect relation data specified for the term : ${name}@${glossary}`);
          continue;
        }
        const [otherGlossary, otherTerm] = parts as [string, string];
        if (`${otherTerm}@${otherGlossary}`.toLowerCase() === `${name}@${glossary}`.toLowerCase()) {
          problems.push(
            "Invalid relationship specified for Term. Term cannot have a relationship with self",
          );
          continue;
        }
        const found = await api.store.getByUniqueAttribute(
          "AtlasGlossaryTerm",
          `${otherTerm}@${otherGlossary}`,
          {
            ignoreRelationships: true,
          },
        );
        if (!found) {
          problems.push(
            `The provided Reference ${otherTerm}@${otherGlossary} does not exist at Atlas referred at record with TermName  : ${name} and GlossaryName : ${glossary}`,
          );
          continue;
        }
        adds.set(attribute, [...(adds.get(attribute) ?? []), found.entity.guid]);
      }
    }
    if (adds.size > 0) {
      const current = (await g.term(guid)) as Json;
      const next: Json = { ...current };
      for (const [attribute, guids] of adds) {
        const have = (Array.isArray(current[attribute]) ? current[attribute] : []) as Json[];
        const known = new Set(have.map((h) => h.termGuid));
        next[attribute] = [
          ...have,
          ...guids.filter((x) => !known.has(x)).map((termGuid) => ({ termGuid })),
        ];
      }
      const updated = await attempt((epoch) => g.updateTerm(epoch, guid, next, user));
      if (updated instanceof Error) problems.push(updated.message);
    }
    if (problems.length > 0) failed.push(importInfo(glossary, name, false, problems.join("\n")));
  }
  return { failedImportInfoList: failed, successImportInfoList: success };
}
