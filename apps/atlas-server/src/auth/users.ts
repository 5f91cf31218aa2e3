/**
 * The users file (Atlas's `users-credentials.properties` layout): one line per user,
 * `name=ROLE::hash`, `#` comments. Ours adds scrypt hashes (see passwords.ts).
 */
import { readFileSync } from "node:fs";
import { hashKind } from "./passwords.js";

export interface User {
  name: string;
  role: string;
  hash: string;
}

export class UsersFileError extends Error {
  override readonly name = "UsersFileError" as const;
  readonly code = "USERS_FILE_INVALID" as const;
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

export function parseUsers(text: string, file: string): Map<string, User> {
  const users = new Map<string, User>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) return;
    const eq = line.indexOf("=");
    const name = eq > 0 ? line.slice(0, eq).trim() : "";
    const rest = eq > 0 ? line.slice(eq + 1).trim() : "";
    const sep = rest.indexOf("::");
    if (!name || sep <= 0) {
      throw new UsersFileError(file, `line ${index + 1}: expected "user=ROLE::hash"`);
    }
    const role = rest.slice(0, sep);
    const hash = rest.slice(sep + 2);
    if (hashKind(hash) === "invalid") {
      throw new UsersFileError(
        file,
        `line ${index + 1}: the hash of "${name}" is neither scrypt$… nor a SHA-256 hex digest (make one with: atlas-server hash-password)`,
      );
    }
    users.set(name, { name, role, hash });
  });
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
