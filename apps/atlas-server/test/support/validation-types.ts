/**
 * Typedefs that exercise attribute validation (docs/contracts/model.md, "Attribute
 * validation"): every built-in type, an enum, a list with a maximum count, a map, a struct with
 * a mandatory field, and a mandatory attribute inherited from a supertype. Shared by the store,
 * HTTP, hostile-input and client tests.
 */
const attr = (name: string, typeName: string, extra: Record<string, unknown> = {}) => ({
  name,
  typeName,
  isOptional: true,
  cardinality: "SINGLE",
  isUnique: false,
  ...extra,
});

export const VALIDATION_TYPES = {
  enumDefs: [
    {
      name: "vt_level",
      elementDefs: [
        { value: "LOW", ordinal: 0 },
        { value: "HIGH", ordinal: 1 },
      ],
    },
  ],
  structDefs: [
    {
      name: "vt_point",
      attributeDefs: [attr("x", "int", { isOptional: false }), attr("label", "string")],
    },
  ],
  entityDefs: [
    {
      name: "vt_base",
      superTypes: ["DataSet"],
      attributeDefs: [attr("origin", "string", { isOptional: false })],
    },
    {
      name: "vt_thing",
      superTypes: ["vt_base"],
      attributeDefs: [
        attr("flag", "boolean"),
        attr("b", "byte"),
        attr("s", "short"),
        attr("i", "int"),
        attr("l", "long"),
        attr("f", "float"),
        attr("d", "double"),
        attr("bi", "biginteger"),
        attr("bd", "bigdecimal"),
        attr("when", "date"),
        attr("text", "string"),
        attr("level", "vt_level"),
        attr("tags", "array<int>", { cardinality: "LIST", valuesMaxCount: 3 }),
        attr("props", "map<string,int>"),
        attr("point", "vt_point"),
        attr("points", "array<vt_point>", { cardinality: "LIST" }),
      ],
    },
  ],
};

/** A valid vt_thing: its mandatory attributes (qualifiedName, name, origin) and `extra`. */
export function thing(name: string, extra: Record<string, unknown> = {}) {
  return {
    typeName: "vt_thing",
    attributes: { qualifiedName: `${name}@vt`, name, origin: "test", ...extra },
  };
}
