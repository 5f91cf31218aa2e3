/**
 * Who may do what: Apache Atlas's simple authorizer under its default policy
 * (`atlas-simple-authz-policy.json` as shipped in Atlas's `conf/`), reduced to two tables.
 *
 * 1. The roles of a user: the policy's `userRoles` by user name and `groupRoles` by the
 *    group of the users file (Atlas's `AtlasSimpleAuthorizer.getRoles`). We add two groups
 *    the default policy leaves out: `ADMIN` (the group of Atlas's shipped `admin` line, whom
 *    the policy grants ROLE_ADMIN by name only) and `DATA_SCIENTIST`, so a group named after
 *    a role means that role. A user with no role is refused everything but the routes that
 *    need no privilege.
 * 2. The privileges of a role, the policy's lists as written (ROLE_ADMIN: every one).
 *
 * Which privilege a request needs, by method and path family, is the `RULES` table below.
 * docs/contracts/http.md ("Login and roles") has them for readers; test/auth/atlas-users.test.ts
 * checks the first two against Atlas's shipped policy file.
 */

export type AtlasRole = "ROLE_ADMIN" | "DATA_STEWARD" | "DATA_SCIENTIST";

/** Atlas's privilege names (AtlasPrivilege), those the routes of this server can need. */
export type Privilege =
  | "entity-read"
  | "entity-create"
  | "entity-update"
  | "entity-delete"
  | "entity-add-classification"
  | "entity-update-classification"
  | "entity-remove-classification"
  | "entity-add-label"
  | "entity-remove-label"
  | "entity-update-business-metadata"
  | "add-relationship"
  | "update-relationship"
  | "remove-relationship"
  | "type-create"
  | "type-update"
  | "type-delete"
  | "admin";

/** The default policy's `roles`: what each role may do. ROLE_ADMIN's `.*` is "all". */
const ROLE_PRIVILEGES: Readonly<Record<AtlasRole, ReadonlySet<Privilege> | "all">> = {
  ROLE_ADMIN: "all",
  DATA_STEWARD: new Set<Privilege>([
    "entity-read",
    "entity-create",
    "entity-update",
    "entity-add-classification",
    "entity-update-classification",
    "entity-remove-classification",
    "add-relationship",
    "update-relationship",
    "remove-relationship",
  ]),
  DATA_SCIENTIST: new Set<Privilege>(["entity-read"]),
};

/** The default policy's `userRoles`. */
const USER_ROLES: Readonly<Record<string, readonly AtlasRole[]>> = {
  admin: ["ROLE_ADMIN"],
  rangertagsync: ["DATA_SCIENTIST"],
};

/** The default policy's `groupRoles`, and (last two) the groups named after a role. */
const GROUP_ROLES: Readonly<Record<string, readonly AtlasRole[]>> = {
  ROLE_ADMIN: ["ROLE_ADMIN"],
  hadoop: ["DATA_STEWARD"],
  DATA_STEWARD: ["DATA_STEWARD"],
  RANGER_TAG_SYNC: ["DATA_SCIENTIST"],
  ADMIN: ["ROLE_ADMIN"],
  DATA_SCIENTIST: ["DATA_SCIENTIST"],
};

const own = (table: Readonly<Record<string, readonly AtlasRole[]>>, key: string) =>
  Object.hasOwn(table, key) ? table[key]! : [];

/** The roles of `user` in `group` (Atlas matches both names exactly, case included). */
export function rolesOf(user: string, group: string): AtlasRole[] {
  return [...new Set([...own(USER_ROLES, user), ...own(GROUP_ROLES, group)])];
}

export function allows(roles: readonly AtlasRole[], privilege: Privilege): boolean {
  return roles.some((role) => {
    const granted = ROLE_PRIVILEGES[role];
    return granted === "all" || granted.has(privilege);
  });
}

/**
 * One line of the table: requests whose method is in `methods` (`*`: any) and whose path
 * (under `/api/atlas/`, one trailing slash ignored) matches `path` need `privilege` (null:
 * any user who logged in). `action` is Atlas's wording for the 403 message ("<user> is not
 * authorized to perform <action>"); `$1` is the path's first group.
 */
interface Rule {
  methods: readonly string[] | "*";
  path: RegExp;
  privilege: Privilege | null;
  action: string;
}

const READ = ["GET", "HEAD", "OPTIONS"] as const;
const ENTITY = String.raw`v2/entity`;
/** An entity's sub-resource: after its guid, its unique attribute, or `bulk` (whole segments). */
const SUB = String.raw`^v2/entity/(?:guid/[^/]+|uniqueAttribute/type/[^/]+|bulk)/`;

/** First match wins. Paths no line matches fall to the last two lines. */
const RULES: readonly Rule[] = [
  // admin: version, metrics and the session's profile for anyone who logged in (Atlas checks
  // no privilege there); every other admin action (purge, the debug stall) is ROLE_ADMIN's.
  {
    methods: READ,
    path: /^admin\/(version|metrics|metrics\/prometheus|session)$/,
    privilege: null,
    action: "$1",
  },
  { methods: "*", path: /^admin\/(.*)$/, privilege: "admin", action: "admin $1" },
  // type definitions: reading them needs no privilege here (see docs/contracts/http.md);
  // creating, changing or deleting them is ROLE_ADMIN's alone.
  { methods: READ, path: /^v2\/types(?:\/|$)/, privilege: null, action: "read types" },
  {
    methods: ["POST"],
    path: /^v2\/types(?:\/|$)/,
    privilege: "type-create",
    action: "create types",
  },
  {
    methods: ["PUT"],
    path: /^v2\/types(?:\/|$)/,
    privilege: "type-update",
    action: "update types",
  },
  {
    methods: ["DELETE"],
    path: /^v2\/types(?:\/|$)/,
    privilege: "type-delete",
    action: "delete types",
  },
  // classifications, labels and business metadata of entities
  {
    methods: READ,
    path: new RegExp(String.raw`${SUB}classifications?(?:/|$)`),
    privilege: "entity-read",
    action: "get classifications",
  },
  {
    methods: ["POST"],
    path: new RegExp(String.raw`${SUB}classifications?(?:/|$)`),
    privilege: "entity-add-classification",
    action: "add classification",
  },
  {
    methods: ["PUT"],
    path: new RegExp(String.raw`${SUB}classifications?(?:/|$)`),
    privilege: "entity-update-classification",
    action: "update classification",
  },
  {
    methods: ["DELETE"],
    path: new RegExp(String.raw`${SUB}classifications?(?:/|$)`),
    privilege: "entity-remove-classification",
    action: "remove classification",
  },
  {
    methods: ["POST", "PUT"],
    path: new RegExp(String.raw`${SUB}labels$`),
    privilege: "entity-add-label",
    action: "add/update label",
  },
  {
    methods: ["DELETE"],
    path: new RegExp(String.raw`${SUB}labels$`),
    privilege: "entity-remove-label",
    action: "remove label",
  },
  {
    methods: ["POST", "PUT", "DELETE"],
    path: new RegExp(String.raw`${SUB}businessmetadata(?:/|$)`),
    privilege: "entity-update-business-metadata",
    action: "add/update business-metadata",
  },
  // the business-metadata upload changes business attributes (Atlas checks that privilege
  // per entity); its template needs none beyond a login
  {
    methods: ["POST"],
    path: new RegExp(String.raw`^${ENTITY}/businessmetadata/import$`),
    privilege: "entity-update-business-metadata",
    action: "add/update business-metadata",
  },
  // setClassifications adds, updates and removes classifications (all three are checked)
  {
    methods: ["POST"],
    path: new RegExp(String.raw`^${ENTITY}/bulk/setClassifications$`),
    privilege: "entity-update-classification",
    action: "update classification",
  },
  // entities
  {
    methods: READ,
    path: new RegExp(String.raw`^${ENTITY}/guid/([^/]+)$`),
    privilege: "entity-read",
    action: "read entity: guid=$1",
  },
  {
    methods: READ,
    path: new RegExp(String.raw`^${ENTITY}/uniqueAttribute/type/([^/]+)$`),
    privilege: "entity-read",
    action: "read entity: typeName=$1",
  },
  { methods: READ, path: /^v2\/entity(?:\/|$)/, privilege: "entity-read", action: "read entity" },
  {
    methods: ["POST"],
    path: /^v2\/entity(?:\/|$)/,
    privilege: "entity-create",
    action: "create entity",
  },
  {
    methods: ["PUT"],
    path: /^v2\/entity(?:\/|$)/,
    privilege: "entity-update",
    action: "update entity",
  },
  {
    methods: ["DELETE"],
    path: new RegExp(String.raw`^${ENTITY}/guid/([^/]+)$`),
    privilege: "entity-delete",
    action: "delete entity: guid=$1",
  },
  {
    methods: ["DELETE"],
    path: /^v2\/entity(?:\/|$)/,
    privilege: "entity-delete",
    action: "delete entity",
  },
  // saved searches: each user's own (Atlas checks ownership, no privilege); executing one is a search
  {
    methods: [...READ, "POST", "PUT", "DELETE"],
    path: /^v2\/search\/saved(?:\/(?!execute(?:\/|$))[^/]+)?$/,
    privilege: null,
    action: "saved search",
  },
  // search: its answers are entities, which a role reads with entity-read
  {
    methods: [...READ, "POST"],
    path: /^v2\/search(?:\/|$)/,
    privilege: "entity-read",
    action: "search",
  },
  // relationships
  {
    methods: READ,
    path: /^v2\/relationship(?:\/|$)/,
    privilege: "entity-read",
    action: "read relationship",
  },
  {
    methods: ["POST"],
    path: /^v2\/relationship(?:\/|$)/,
    privilege: "add-relationship",
    action: "add relationship",
  },
  {
    methods: ["PUT"],
    path: /^v2\/relationship(?:\/|$)/,
    privilege: "update-relationship",
    action: "update relationship",
  },
  {
    methods: ["DELETE"],
    path: /^v2\/relationship(?:\/|$)/,
    privilege: "remove-relationship",
    action: "remove relationship",
  },
  // glossary: its objects are entities, written as entity operations (as Atlas authorizes them)
  {
    methods: ["POST", "PUT", "DELETE"],
    path: /^v2\/glossary\/terms\/[^/]+\/assignedEntities$/,
    privilege: "entity-update",
    action: "assign/disassociate glossary term",
  },
  {
    methods: ["POST"],
    path: /^v2\/glossary(?:\/|$)/,
    privilege: "entity-create",
    action: "create glossary object",
  },
  {
    methods: ["PUT"],
    path: /^v2\/glossary(?:\/|$)/,
    privilege: "entity-update",
    action: "update glossary object",
  },
  {
    methods: ["DELETE"],
    path: /^v2\/glossary(?:\/|$)/,
    privilege: "entity-delete",
    action: "delete glossary object",
  },
  // anything else: reading needs entity-read, any other method ROLE_ADMIN (fails closed for
  // routes added without a line here)
  { methods: READ, path: /^(.*)$/, privilege: "entity-read", action: "read $1" },
  { methods: "*", path: /^(.*)$/, privilege: "admin", action: "$1" },
];

export interface Decision {
  privilege: Privilege | null;
  action: string;
}

/** What a request needs, from the first matching rule. `path`: the raw path, below `/api/atlas/` or not. */
export function requirement(method: string, path: string): Decision {
  const below = path.startsWith("/api/atlas/") ? path.slice("/api/atlas/".length) : path;
  for (const rule of RULES) {
    if (rule.methods !== "*" && !rule.methods.includes(method)) continue;
    const match = rule.path.exec(below);
    if (!match) continue;
    return {
      privilege: rule.privilege,
      action: rule.action.replace("$1", () => decode(match[1] ?? "")),
    };
  }
  /* v8 ignore next -- the last rule matches everything */
  return { privilege: "admin", action: below };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
