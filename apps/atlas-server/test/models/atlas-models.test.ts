/**
 * The built-in models against Apache Atlas's own: atlas-models.json is derived from
 * addons/models of apache/atlas and its patches by scripts/derive-atlas-models.mjs (see its
 * header to regenerate it), so this test runs offline. Per type it compares, both ways, the
 * category, serviceType, typeVersion, options, supertypes, enum values, every attribute
 * (name, type, cardinality, required, unique, constraints) and each relationshipDef's
 * category, propagateTags, label and ends (type, name, cardinality, container).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtinTypedefs, flattenTypesDef } from "../../src/models/index.js";
import type {
  AnyTypeDef,
  AtlasAttributeDef,
  AtlasEntityDef,
  AtlasEnumDef,
  AtlasRelationshipDef,
  AtlasRelationshipEndDef,
  AtlasStructDef,
  TypeCategory,
} from "../../src/models/typedefs.js";
import { prepareTypedefs } from "../../src/store/typedefs.js";
import { TypeRegistry } from "../../src/store/typesystem.js";

interface AttributeSummary {
  name: string;
  typeName: string;
  cardinality: string;
  required?: true;
  unique?: true;
  constraints?: string[];
}

interface EndSummary {
  type: string;
  name: string;
  cardinality: string;
  isContainer: boolean;
}

interface TypeSummary {
  category: TypeCategory;
  serviceType: string | null;
  typeVersion: string;
  options?: Record<string, string>;
  elements?: string[];
  superTypes?: string[];
  relationshipCategory?: string;
  propagateTags?: string;
  relationshipLabel?: string;
  endDef1?: EndSummary;
  endDef2?: EndSummary;
  attributes?: AttributeSummary[];
}

const fixture = JSON.parse(
  readFileSync(new URL("./atlas-models.json", import.meta.url), "utf8"),
) as { source: Record<string, unknown>; types: Record<string, TypeSummary> };
const atlas = fixture.types;

/** The same summary the derive script writes, of one of our typedefs. */
function summarize(category: TypeCategory, def: AnyTypeDef): TypeSummary {
  const out: TypeSummary = {
    category,
    serviceType: def.serviceType ?? null,
    typeVersion: def.typeVersion ?? "1.0",
  };
  if (def.options && Object.keys(def.options).length > 0) out.options = def.options;
  if (category === "ENUM") {
    out.elements = (def as AtlasEnumDef).elementDefs.map((e) => e.value);
    return out;
  }
  if (category === "ENTITY") out.superTypes = [...(def as AtlasEntityDef).superTypes].sort();
  if (category === "RELATIONSHIP") {
    const rel = def as AtlasRelationshipDef;
    const end = (e: AtlasRelationshipEndDef): EndSummary => ({
      type: e.type,
      name: e.name,
      cardinality: e.cardinality ?? "SINGLE",
      isContainer: e.isContainer === true,
    });
    out.relationshipCategory = rel.relationshipCategory;
    out.propagateTags = rel.propagateTags ?? "NONE";
    if (rel.relationshipLabel) out.relationshipLabel = rel.relationshipLabel;
    out.endDef1 = end(rel.endDef1);
    out.endDef2 = end(rel.endDef2);
  }
  out.attributes = ((def as AtlasStructDef).attributeDefs ?? []).map((a: AtlasAttributeDef) => {
    const attr: AttributeSummary = {
      name: a.name,
      typeName: a.typeName,
      cardinality: a.cardinality,
    };
    if (!a.isOptional) attr.required = true;
    if (a.isUnique) attr.unique = true;
    const constraints = (a.constraints ?? []).map((c) => c.type).sort();
    if (constraints.length > 0) attr.constraints = constraints;
    return attr;
  });
  return out;
}

/** Every way `ours` differs from `theirs`, one line each; empty when they agree. */
function differences(theirs: TypeSummary, ours: TypeSummary): string[] {
  const out: string[] = [];
  const { attributes: theirAttrs = [], ...theirRest } = theirs;
  const { attributes: ourAttrs = [], ...ourRest } = ours;
  for (const key of new Set([...Object.keys(theirRest), ...Object.keys(ourRest)])) {
    const a = JSON.stringify(theirRest[key as keyof typeof theirRest]);
    const b = JSON.stringify(ourRest[key as keyof typeof ourRest]);
    if (a !== b) out.push(`${key}: Atlas has ${a}, we have ${b}`);
  }
  const ourByName = new Map(ourAttrs.map((a) => [a.name, a]));
  const theirByName = new Map(theirAttrs.map((a) => [a.name, a]));
  for (const attr of theirAttrs) {
    const mine = ourByName.get(attr.name);
    if (!mine) out.push(`missing attribute ${attr.name}`);
    else if (JSON.stringify(mine) !== JSON.stringify(attr))
      out.push(
        `attribute ${attr.name}: Atlas has ${JSON.stringify(attr)}, we have ${JSON.stringify(mine)}`,
      );
  }
  for (const attr of ourAttrs) {
    if (!theirByName.has(attr.name)) out.push(`extra attribute ${attr.name} (not in Atlas)`);
  }
  return out;
}

const PRIMITIVES = new Set([
  "boolean",
  "byte",
  "short",
  "int",
  "long",
  "float",
  "double",
  "biginteger",
  "bigdecimal",
  "string",
  "date",
]);

const ours = new Map(
  flattenTypesDef(builtinTypedefs()).map(({ category, def }) => [
    def.name,
    summarize(category, def),
  ]),
);

describe("the built-in models are Atlas's published models", () => {
  it("the same types as Atlas's model files in scope, no more and no fewer", () => {
    const theirs = Object.keys(atlas).sort();
    const mine = [...ours.keys()].sort();
    expect(
      mine.filter((n) => !(n in atlas)),
      "types Atlas does not have",
    ).toEqual([]);
    expect(
      theirs.filter((n) => !ours.has(n)),
      "Atlas's types we lack",
    ).toEqual([]);
    expect(flattenTypesDef(builtinTypedefs())).toHaveLength(mine.length); // no name twice
  });

  it.each(Object.keys(atlas))("%s has Atlas's shape", (name) => {
    const mine = ours.get(name);
    expect(mine, `${name} is not a built-in type`).toBeDefined();
    expect(differences(atlas[name]!, mine!)).toEqual([]);
  });

  it("the comparison notices a missing, an extra and a changed attribute and a changed end", () => {
    const table = structuredClone(ours.get("hive_table")!);
    table.attributes = table.attributes!.filter((a) => a.name !== "comment");
    table.attributes.push({ name: "owner_team", typeName: "string", cardinality: "SINGLE" });
    table.attributes.find((a) => a.name === "aliases")!.cardinality = "LIST";
    expect(differences(atlas.hive_table!, table)).toEqual([
      "missing attribute comment",
      expect.stringMatching(/^attribute aliases:/),
      "extra attribute owner_team (not in Atlas)",
    ]);
    const columns = structuredClone(ours.get("hive_table_columns")!);
    columns.endDef1!.isContainer = false;
    expect(differences(atlas.hive_table_columns!, columns)).toEqual([
      expect.stringMatching(/^endDef1: /),
    ]);
  });

  it("they load as one typedef batch: every supertype, attribute type and relationship end exists", () => {
    const prepared = prepareTypedefs(builtinTypedefs(), new TypeRegistry([]), {
      user: "atlas",
      now: 0,
      newGuid: () => "g",
    });
    const types = new TypeRegistry(prepared);
    const known = (typeName: string): boolean => {
      const inner = /^(?:array<(.+)>|map<(.+),(.+)>)$/.exec(typeName);
      if (inner) return inner.slice(1).every((t) => t === undefined || known(t));
      return PRIMITIVES.has(typeName) || types.has(typeName);
    };
    for (const { def } of prepared) {
      for (const a of (def as AtlasStructDef).attributeDefs ?? []) {
        expect(known(a.typeName), `${def.name}.${a.name}: ${a.typeName}`).toBe(true);
      }
    }
    expect(types.withSubtypes("Path")).toEqual(
      expect.arrayContaining([
        "fs_path",
        "hdfs_path",
        "aws_s3_pseudo_dir",
        "aws_s3_v2_directory",
        "adls_gen2_directory",
      ]),
    );
  });
});
