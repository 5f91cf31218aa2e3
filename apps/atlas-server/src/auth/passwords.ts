/**
 * Password hashes of the users file. Ours: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`.
 * For an existing Atlas file, a bare SHA-256 hex digest (Atlas's old default) is accepted
 * too, and reported as weak at start-up.
 */
import {
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from "node:crypto";

function scrypt(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

const N = 16384;
const R = 8;
const P = 1;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export type HashKind = "scrypt" | "sha256" | "invalid";

export function hashKind(hash: string): HashKind {
  if (/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(hash)) return "scrypt";
  if (/^[0-9a-f]{64}$/i.test(hash)) return "sha256";
  return "invalid";
}

/** Constant-time check of a password against a stored hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const kind = hashKind(hash);
  if (kind === "scrypt") {
    const [, n, r, p, salt, expected] = hash.split("$") as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const want = Buffer.from(expected, "base64");
    const got = await scrypt(password, Buffer.from(salt, "base64"), want.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: 256 * 1024 * 1024,
    });
    return timingSafeEqual(got, want);
  }
  if (kind === "sha256") {
    const got = createHash("sha256").update(password).digest();
    return timingSafeEqual(got, Buffer.from(hash, "hex"));
  }
  return false;
}
