#!/usr/bin/env node
// Derives the shape of Apache Atlas's published models — as a fresh Atlas server has them
// after it loaded addons/models and applied the patches — and writes the compact fixture that
// test/models/atlas-models.test.ts compares src/models/ against.
//
//   node apps/atlas-server/scripts/derive-atlas-models.mjs <apache/atlas checkout or git dir> [out.json]
//
// <…> is a work tree of github.com/apache/atlas (reads addons/models/ from the disk) or a
// bare git directory (reads HEAD, or <dir>@<rev>). The default output is
// apps/atlas-server/test/models/atlas-models.json.
//
// The loading is Atlas's AtlasTypeDefStoreInitializer (repository/…/bootstrap/): the
// folders of addons/models in name order; in each, the model files in name order (a type not
// yet known is created; a known one is replaced when its typeVersion is higher, keeping the
// attributes the new def lacks), then patches/*.json in name order. A patch applies only when
// the type's current typeVersion equals its applyToVersion (or starts with it and a dot), and
// sets typeVersion to updateToVersion. Every folder is loaded, so that patches see what Atlas
// sees; the fixture keeps only the models this server ships (SCOPE below).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const MODELS = "addons/models";

/**
 * The model files this server ships: the base model and the models of the hooks and bridges
 * users run (Hive, HBase, Kafka, HDFS and the cloud stores the Hive hook names, Impala,
 * Spark, Sqoop, Storm, Flink; Avro because Kafka and S3 relate to its schemas), and the
 * glossary the glossary REST serves. Left out: Falcon (retired), RDBMS, ML, Couchbase, Trino.
 */
const SCOPE = [
  "0000-Area0/0010-base_model.json",
  "0000-Area0/0011-glossary_model.json",
  "1000-Hadoop/1020-fs_model.json",
  "1000-Hadoop/1030-hive_model.json",
  "1000-Hadoop/1040-sqoop_model.json",
  "1000-Hadoop/1060-hbase_model.json",
  "1000-Hadoop/1065-avro_model.json",
  "1000-Hadoop/1070-kafka_model.json",
  "1000-Hadoop/1080-storm_model.json",
  "1000-Hadoop/1090-impala_model.json",
  "1000-Hadoop/1100-spark_model.json",
  "1000-Hadoop/1110-flink_model.json",
  "3000-Cloud/3010-aws_common_typedefs.json",
  "3000-Cloud/3020-aws_s3_typedefs.json",
  "3000-Cloud/3030-aws_s3_v2_typedefs.json",
  "3000-Cloud/3040-azure_adls_typedefs.json",
  "3000-Cloud/3050-ozone-typedefs.json",
  "3000-Cloud/3060-gcp_typedefs.json",
];
/** Atlas's own bookkeeping types in the base model (user profiles, audits, metrics, imports). */
const INTERNAL = /^__(?!internal$)/;
const INTERNAL_ENUMS = new Set(["atlas_operation", "audit_row_kind"]);

const LISTS = {
  enumDefs: "ENUM",
  structDefs: "STRUCT",
  classificationDefs: "CLASSIFICATION",
  entityDefs: "ENTITY",
  relationshipDefs: "RELATIONSHIP",
  businessMetadataDefs: "BUSINESS_METADATA",
};

// ---------------------------------------------------------------------------- the source

function openSource(arg) {
  const [path, rev = "HEAD"] = arg.includes("@") ? arg.split("@") : [arg, "HEAD"];
  const root = resolve(path);
  if (existsSync(join(root, MODELS))) {
    const list = (dir) =>
      existsSync(join(root, MODELS, dir))
        ? readdirSync(join(root, MODELS, dir)).filter((f) =>
            statSync(join(root, MODELS, dir, f)).isFile(),
          )
        : [];
    let commit;
    try {
      const git = (...args) =>
        execFileSync("git", ["-C", root, ...args], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }).trim();
      // Only the checkout's own commit, not that of a repository it happens to sit in.
      if (resolve(git("rev-parse", "--show-toplevel")) === root) commit = git("rev-parse", "HEAD");
    } catch {
      // not a git work tree (an export): the fixture names no commit
    }
    return {
      describe: { repository: "apache/atlas", ...(commit ? { commit } : {}) },
      folders: () =>
        readdirSync(join(root, MODELS)).filter(
          (f) => f !== "patches" && statSync(join(root, MODELS, f)).isDirectory(),
        ),
      files: list,
      read: (file) => readFileSync(join(root, MODELS, file), "utf8"),
    };
  }
  const git = (...args) =>
    execFileSync("git", ["--git-dir", root, ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
  const commit = git("rev-parse", rev).trim();
  const paths = git("ls-tree", "-r", "--name-only", commit, MODELS)
    .split("\n")
    .filter(Boolean)
    .map((p) => p.slice(MODELS.length + 1));
  return {
    describe: { repository: "apache/atlas", commit },
    folders: () => [
      ...new Set(paths.filter((p) => p.split("/").length > 1).map((p) => p.split("/")[0])),
    ],
    files: (dir) =>
      paths
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes("/"))
        .map((p) => p.slice(dir.length + 1)),
    read: (file) => git("show", `${commit}:${MODELS}/${file}`),
  };
}

// ---------------------------------------------------------------------------- the loader

/** name → { category, def, file } */
const registry = new Map();
const log = [];

const clone = (v) => structuredClone(v);
const sameName = (a, b) => a.toLowerCase() === b.toLowerCase();

function addAttribute(def, attr) {
  def.attributeDefs = [
    ...(def.attributeDefs ?? []).filter((a) => !sameName(a.name, attr.name)),
    clone(attr),
  ];
}

function addElement(def, element) {
  def.elementDefs = [
    ...(def.elementDefs ?? []).filter((e) => !sameName(e.value, element.value)),
    clone(element),
  ];
}

/** Java's ObjectUtils.compare on the version strings: a string comparison, null first. */
function newer(next, prev) {
  if (prev == null) return next != null;
  if (next == null) return false;
  return next > prev;
}

function loadModelFile(file) {
  const typesDef = JSON.parse(source.read(file));
  for (const [list, category] of Object.entries(LISTS)) {
    for (const def of typesDef[list] ?? []) {
      const old = registry.get(def.name);
      if (!old) {
        registry.set(def.name, { category, def: clone(def), file });
      } else if (old.category === category && newer(def.typeVersion, old.def.typeVersion)) {
        const next = clone(def);
        if (category === "ENUM") {
          for (const e of old.def.elementDefs ?? [])
            if (!(next.elementDefs ?? []).some((n) => sameName(n.value, e.value)))
              addElement(next, e);
        } else {
          for (const a of old.def.attributeDefs ?? [])
            if (!(next.attributeDefs ?? []).some((n) => sameName(n.name, a.name)))
              (next.attributeDefs ??= []).push(clone(a));
        }
        registry.set(def.name, { ...old, def: next });
        log.push(`${file}: updated ${def.name} to ${def.typeVersion}`);
      }
    }
  }
}

function applicable(patch, def) {
  const current = def.typeVersion;
  return (
    current == null ||
    current.toLowerCase() === String(patch.applyToVersion).toLowerCase() ||
    current.startsWith(`${patch.applyToVersion}.`)
  );
}

const HANDLERS = {
  UPDATE_ENUMDEF(patch, entry) {
    if (entry.category !== "ENUM") throw new Error("not an enum");
    for (const e of patch.elementDefs ?? []) addElement(entry.def, e);
  },
  ADD_ATTRIBUTE(patch, entry) {
    if (!["ENTITY", "CLASSIFICATION", "STRUCT", "RELATIONSHIP"].includes(entry.category))
      throw new Error(`not applicable to ${entry.category}`);
    for (const a of patch.attributeDefs ?? []) addAttribute(entry.def, a);
  },
  UPDATE_ATTRIBUTE(patch, entry) {
    if (!["ENTITY", "CLASSIFICATION", "STRUCT"].includes(entry.category))
      throw new Error(`not applicable to ${entry.category}`);
    for (const a of patch.attributeDefs ?? []) addAttribute(entry.def, a);
  },
  REMOVE_LEGACY_REF_ATTRIBUTES(patch, entry) {
    if (entry.category !== "RELATIONSHIP") throw new Error("not a relationship");
    const def = entry.def;
    const params = patch.params ?? {};
    let label = params.relationshipLabel == null ? undefined : String(params.relationshipLabel);
    if (!label) {
      const [e1, e2] = [def.endDef1, def.endDef2];
      if (e1.isLegacyAttribute && e2.isLegacyAttribute)
        throw new Error("both ends are legacy: the patch needs a relationshipLabel");
      if (e1.isLegacyAttribute) label = `__${e1.type}.${e1.name}`;
      else if (e2.isLegacyAttribute) label = `__${e2.type}.${e2.name}`;
      else label = def.relationshipLabel;
    }
    if (String(params.swapEnds) === "true") [def.endDef1, def.endDef2] = [def.endDef2, def.endDef1];
    def.relationshipLabel = label;
    if (params.relationshipCategory) def.relationshipCategory = String(params.relationshipCategory);
    for (const end of [def.endDef1, def.endDef2]) {
      const owner = registry.get(end.type);
      if (owner)
        owner.def.attributeDefs = (owner.def.attributeDefs ?? []).filter(
          (a) => !sameName(a.name, end.name),
        );
    }
  },
  UPDATE_TYPEDEF_OPTIONS(patch, entry) {
    if (!patch.typeDefOptions || Object.keys(patch.typeDefOptions).length === 0)
      throw new Error("no typeDefOptions");
    entry.def.options = { ...(entry.def.options ?? {}), ...patch.typeDefOptions };
  },
  SET_SERVICE_TYPE(patch, entry) {
    entry.def.serviceType = patch.serviceType;
  },
  UPDATE_ATTRIBUTE_METADATA(patch, entry) {
    if (!["ENTITY", "STRUCT"].includes(entry.category))
      throw new Error(`not applicable to ${entry.category}`);
    for (const a of entry.def.attributeDefs ?? []) {
      if (!sameName(a.name, patch.attributeName)) continue;
      for (const [key, value] of Object.entries(patch.params ?? {})) {
        if (sameName(key, "searchWeight")) a.searchWeight = Number(value);
        else if (sameName(key, "indexType")) {
          if (value) a.indexType = String(value);
        } else if (sameName(key, "isIndexable")) {
          if (value === false && a.isIndexable) a.isIndexable = false;
        } else throw new Error(`unknown attribute metadata ${key}`);
      }
    }
  },
  ADD_SUPER_TYPES(patch, entry) {
    if (entry.category !== "ENTITY") throw new Error("not an entity type");
    for (const s of patch.superTypes ?? [])
      if (!(entry.def.superTypes ?? []).includes(s)) (entry.def.superTypes ??= []).push(s);
  },
};

/** Patches this script does not model; the run fails if one touches a type in scope. */
const UNMODELLED = new Set([
  "SET_ATTRIBUTE_DEF_OVERRIDES",
  "SET_PROPAGATE_RENAME",
  "SET_PROPAGATE_DELETE",
  "ADD_MANDATORY_ATTRIBUTE",
]);
const unmodelled = [];

function applyPatchFile(file) {
  const { patches = [] } = JSON.parse(source.read(file)) ?? {};
  for (const patch of patches) {
    const entry = registry.get(patch.typeName);
    const where = `${file} ${patch.id} ${patch.action} ${patch.typeName}`;
    if (UNMODELLED.has(patch.action)) {
      unmodelled.push({ where, typeName: patch.typeName });
      continue;
    }
    const handler = HANDLERS[patch.action];
    if (!handler) throw new Error(`${where}: unknown patch action`);
    if (!entry) {
      log.push(`${where}: FAILED (unknown type)`);
      continue;
    }
    if (patch.action === "ADD_SUPER_TYPES" && (patch.superTypes ?? []).length === 0) {
      log.push(`${where}: skipped (no superTypes)`);
      continue;
    }
    if (!applicable(patch, entry.def)) {
      log.push(
        `${where}: skipped (type is ${entry.def.typeVersion}, patch for ${patch.applyToVersion})`,
      );
      continue;
    }
    handler(patch, entry);
    entry.def.typeVersion = patch.updateToVersion;
    log.push(`${where}: applied → ${patch.updateToVersion}`);
  }
}

function loadFolder(dir) {
  const files = source.files(dir).sort();
  for (const f of files) if (f.endsWith(".json")) loadModelFile(`${dir}/${f}`);
  const patches = source.files(`${dir}/patches`).sort();
  for (const f of patches) if (f.endsWith(".json")) applyPatchFile(`${dir}/patches/${f}`);
}

// ---------------------------------------------------------------------------- the fixture

function attribute(a) {
  const out = { name: a.name, typeName: a.typeName, cardinality: a.cardinality ?? "SINGLE" };
  if (!a.isOptional) out.required = true;
  if (a.isUnique) out.unique = true;
  const constraints = (a.constraints ?? []).map((c) => c.type).sort();
  if (constraints.length > 0) out.constraints = constraints;
  return out;
}

function end(e) {
  return {
    type: e.type,
    name: e.name,
    cardinality: e.cardinality ?? "SINGLE",
    isContainer: e.isContainer === true,
  };
}

function summary({ category, def }) {
  const out = { category, serviceType: def.serviceType ?? null, typeVersion: def.typeVersion };
  if (def.options && Object.keys(def.options).length > 0) out.options = def.options;
  if (category === "ENUM") {
    out.elements = (def.elementDefs ?? []).map((e) => e.value);
    return out;
  }
  if (category === "ENTITY") out.superTypes = [...(def.superTypes ?? [])].sort();
  if (category === "RELATIONSHIP") {
    out.relationshipCategory = def.relationshipCategory;
    out.propagateTags = def.propagateTags ?? "NONE";
    if (def.relationshipLabel) out.relationshipLabel = def.relationshipLabel;
    out.endDef1 = end(def.endDef1);
    out.endDef2 = end(def.endDef2);
  }
  out.attributes = (def.attributeDefs ?? []).map(attribute);
  return out;
}

/** JSON with one line per attribute, end and enum list, as prettier (width 100) leaves it. */
async function format(value) {
  const flat = (v) =>
    v === null || typeof v !== "object" || Object.values(v).every((x) => flat(x) && !isObject(x));
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const write = (v, indent) => {
    if (flat(v) || (Array.isArray(v) && v.every(flat) && JSON.stringify(v).length < 60))
      return JSON.stringify(v);
    const pad = `${indent}  `;
    const items = Array.isArray(v)
      ? v.map((x) => pad + write(x, pad))
      : Object.entries(v).map(([k, x]) => `${pad}${JSON.stringify(k)}: ${write(x, pad)}`);
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    return `${open}\n${items.join(",\n")}\n${indent}${close}`;
  };
  const text = `${write(value, "")}\n`;
  try {
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(out)) ?? {};
    return await prettier.format(text, { ...options, parser: "json" });
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------- main

const [arg, outArg, ...rest] = process.argv.slice(2);
if (!arg || rest.length > 0 || arg === "--help") {
  console.error(
    "usage: derive-atlas-models.mjs <apache/atlas checkout or git dir[@rev]> [out.json]",
  );
  process.exit(2);
}
const source = openSource(arg);
const out = resolve(outArg ?? join(here, "..", "test", "models", "atlas-models.json"));

for (const dir of source.folders().sort()) loadFolder(dir);

const inScope = new Set(SCOPE);
const types = {};
for (const [name, entry] of [...registry.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
  if (!inScope.has(entry.file) || INTERNAL.test(name) || INTERNAL_ENUMS.has(name)) continue;
  types[name] = summary(entry);
}
for (const { where, typeName } of unmodelled) {
  if (typeName in types) throw new Error(`${where}: this script does not model the action`);
}
const missing = SCOPE.filter((f) => ![...registry.values()].some((e) => e.file === f));
if (missing.length > 0) throw new Error(`no types from ${missing.join(", ")}`);

const fixture = {
  comment:
    "Generated by apps/atlas-server/scripts/derive-atlas-models.mjs from Apache Atlas's addons/models and their patches; do not edit.",
  source: { ...source.describe, files: SCOPE.map((f) => `${MODELS}/${f}`) },
  types,
};
writeFileSync(out, await format(fixture));
for (const line of log) if (process.env.VERBOSE) console.error(line);
const count = (c) => Object.values(types).filter((t) => t.category === c).length;
console.log(
  `${relative(process.cwd(), out)}: ${Object.keys(types).length} types (${count("ENTITY")} entity, ${count("RELATIONSHIP")} relationship, ${count("STRUCT")} struct, ${count("ENUM")} enum)`,
);
