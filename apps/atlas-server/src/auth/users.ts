/**
 * The users file, Atlas's `users-credentials.properties` unchanged: one `user=GROUP::hash`
 * per user in `java.util.Properties` syntax (Atlas's `UserDao` loads it with
 * `Properties.load`), `#`/`!` comments, a repeated user keeps its last line. The group is
 * the user's one Spring authority in Atlas; policy.ts turns it (and the user name) into the
 * simple authorizer's roles. Hashes: passwords.ts.
 *
 * Atlas reads a bad line only when that user logs in, and then refuses the login; this
 * server refuses the file at start, naming the line, so a typo is found before anyone needs
 * the account.
 */
import { readFileSync } from "node:fs";
import { readProperties, type PropertyEntry } from "../config/properties.js";
import { hashKind, hashProblem, type HashKind } from "./passwords.js";
import { rolesOf, type AtlasRole } from "./policy.js";

export interface User {
  name: string;
  /** The group as written in the file (e.g. `ADMIN`), Atlas's granted authority. */
  role: string;
  /** The simple authorizer's roles of this user and group (policy.ts); empty: no access. */
  roles: readonly AtlasRole[];
  hash: string;
  kind: Exclude<HashKind, "invalid">;
}

export class UsersFileError extends Error {
  override readonly name = "UsersFileError" as const;
  readonly code = "USERS_FILE_INVALID" as const;
  readonly file: string;
  /** 1-based line of the entry at fault, when there is one. */
  readonly line: number | undefined;
  constructor(file: string, message: string, line?: number) {
    super(`${file}: ${line === undefined ? "" : `line ${line}: `}${message}`);
    this.file = file;
    this.line = line;
  }
}

const FORMAT = 'expected "user=GROUP::hash", e.g. "admin=ADMIN::<atlas-server hash-password>"';

export function parseUsers(text: string, file: string): Map<string, User> {
  let entries: PropertyEntry[];
  try {
    entries = readProperties(text, file);
  } catch (error) {
    const e = error as { line?: number; message: string };
    throw new UsersFileError(file, e.message.replace(/^.*?:\d+: /, ""), e.line);
  }
  const users = new Map<string, User>();
  for (const { key, value, line } of entries) {
    const name = key.trim();
    if (name === "")
      throw new UsersFileError(file, `an entry without a user name; ${FORMAT}`, line);
    // Atlas: `value.split("::")` must give exactly the group and the hash.
    const parts = value.trim().split("::");
    if (parts.length !== 2) {
      throw new UsersFileError(
        file,
        `the entry of "${name}" has ${parts.length === 1 ? "no" : parts.length - 1} "::" separators, not one; ${FORMAT}`,
        line,
      );
    }
    const [role, hash] = parts.map((part) => part.trim()) as [string, string];
    if (role === "") {
      throw new UsersFileError(
        file,
        `the entry of "${name}" has no group before "::"; ${FORMAT}`,
        line,
      );
    }
    const problem = hashProblem(hash);
    if (problem !== null) {
      throw new UsersFileError(
        file,
        `the hash of "${name}" cannot be used: ${problem} (make a new one with: atlas-server hash-password)`,
        line,
      );
    }
    users.set(name, {
      name,
      role,
      roles: rolesOf(name, role),
      hash,
      kind: hashKind(hash) as User["kind"],
    });
  }
  return users;
}

export function loadUsers(file: string): Map<string, User> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsersFileError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseUsers(text, file);
}
