/**
 * Atlas's glossary model (`0000-Area0/0011-glossary_model.json` and the
 * patches `002-base_model_add_service_type.json` and
 * `004-glossary_model_add_additionalAttributes.json`): glossaries, terms and
 * categories are entities of these types and their links relationships of these
 * relationshipDefs, as in Atlas — which is how an entity's GET shows the terms assigned to it
 * (`relationshipAttributes.meanings`). The glossary REST (api/glossary*.ts) reads and writes
 * them through store/glossary*.ts.
 */
import { attr, entityDef, relationshipDef } from "./define.js";
import type { AtlasAttributeDef, AtlasEntityDef, AtlasTypesDef } from "./typedefs.js";

const ATLAS_CORE = { serviceType: "atlas_core" };
/** The relationshipDefs and enums after the glossary patches of addons/models/0000-Area0/patches. */
const PATCHED = { ...ATLAS_CORE, typeVersion: "1.1" };
const STATUS = "AtlasGlossaryTermRelationshipStatus";

/** The identity and the texts every glossary object has; `name` is what qualifiedName derives from. */
function glossaryObject(name: string, attributes: AtlasAttributeDef[]): AtlasEntityDef {
  return entityDef(
    name,
    ["__internal"],
    [
      attr("qualifiedName", "string", { required: true, unique: true }),
      attr("name", "string", { required: true, indexed: true }),
      attr("shortDescription", "string"),
      attr("longDescription", "string"),
      ...attributes,
      attr("additionalAttributes", "map<string,string>"),
    ],
    { ...ATLAS_CORE, typeVersion: "1.2" },
  );
}

const indexed = (name: string, typeName: string) => attr(name, typeName, { indexed: true });

/** What Atlas records on a term-to-term relationship (AtlasRelatedTermHeader). */
const TERM_RELATION_ATTRIBUTES = [
  indexed("description", "string"),
  indexed("expression", "string"),
  indexed("status", STATUS),
  indexed("steward", "string"),
  indexed("source", "string"),
];

/** A term-to-term relationshipDef: an ASSOCIATION between two terms, one attribute on each end. */
function termRelation(name: string, end1: string, end2: string) {
  return relationshipDef(
    name,
    "ASSOCIATION",
    ["AtlasGlossaryTerm", end1, "SET"],
    ["AtlasGlossaryTerm", end2, "SET"],
    { ...PATCHED, attributeDefs: TERM_RELATION_ATTRIBUTES },
  );
}

export const GLOSSARY_MODEL: Partial<AtlasTypesDef> = {
  enumDefs: [
    {
      name: STATUS,
      typeVersion: "1.1",
      ...ATLAS_CORE,
      elementDefs: [
        { value: "DRAFT", ordinal: 0 },
        { value: "ACTIVE", ordinal: 1 },
        { value: "DEPRECATED", ordinal: 2 },
        { value: "OBSOLETE", ordinal: 3 },
        { value: "OTHER", ordinal: 99 },
      ],
    },
    {
      name: "AtlasGlossaryTermAssignmentStatus",
      typeVersion: "1.1",
      ...ATLAS_CORE,
      elementDefs: [
        "DISCOVERED",
        "PROPOSED",
        "IMPORTED",
        "VALIDATED",
        "DEPRECATED",
        "OBSOLETE",
        "OTHER",
      ].map((value, ordinal) => ({ value, ordinal })),
    },
  ],
  entityDefs: [
    glossaryObject("AtlasGlossary", [attr("language", "string"), attr("usage", "string")]),
    glossaryObject("AtlasGlossaryTerm", [
      attr("examples", "array<string>"),
      attr("abbreviation", "string"),
      attr("usage", "string"),
    ]),
    glossaryObject("AtlasGlossaryCategory", []),
  ],
  relationshipDefs: [
    relationshipDef(
      "AtlasGlossarySemanticAssignment",
      "ASSOCIATION",
      ["AtlasGlossaryTerm", "assignedEntities", "SET"],
      ["Referenceable", "meanings", "SET"],
      {
        ...PATCHED,
        propagateTags: "ONE_TO_TWO",
        attributeDefs: [
          indexed("description", "string"),
          indexed("expression", "string"),
          indexed("status", STATUS),
          indexed("confidence", "int"),
          indexed("createdBy", "string"),
          indexed("steward", "string"),
          indexed("source", "string"),
        ],
      },
    ),
    relationshipDef(
      "AtlasGlossaryTermAnchor",
      "COMPOSITION",
      ["AtlasGlossary", "terms", "SET", { container: true }],
      ["AtlasGlossaryTerm", "anchor", "SINGLE"],
      PATCHED,
    ),
    relationshipDef(
      "AtlasGlossaryTermCategorization",
      "AGGREGATION",
      ["AtlasGlossaryCategory", "terms", "SET", { container: true }],
      ["AtlasGlossaryTerm", "categories", "SET"],
      {
        ...PATCHED,
        attributeDefs: [indexed("description", "string"), indexed("status", STATUS)],
      },
    ),
    relationshipDef(
      "AtlasGlossaryCategoryAnchor",
      "COMPOSITION",
      ["AtlasGlossary", "categories", "SET", { container: true }],
      ["AtlasGlossaryCategory", "anchor", "SINGLE"],
      PATCHED,
    ),
    relationshipDef(
      "AtlasGlossaryCategoryHierarchyLink",
      "AGGREGATION",
      ["AtlasGlossaryCategory", "childrenCategories", "SET", { container: true }],
      ["AtlasGlossaryCategory", "parentCategory", "SINGLE"],
      PATCHED,
    ),
    termRelation("AtlasGlossaryRelatedTerm", "seeAlso", "seeAlso"),
    termRelation("AtlasGlossarySynonym", "synonyms", "synonyms"),
    termRelation("AtlasGlossaryAntonym", "antonyms", "antonyms"),
    termRelation("AtlasGlossaryPreferredTerm", "preferredTerms", "preferredToTerms"),
    termRelation("AtlasGlossaryReplacementTerm", "replacedBy", "replacementTerms"),
    termRelation("AtlasGlossaryTranslation", "translatedTerms", "translationTerms"),
    termRelation("AtlasGlossaryIsARelationship", "classifies", "isA"),
    termRelation("AtlasGlossaryValidValue", "validValuesFor", "validValues"),
  ],
};
