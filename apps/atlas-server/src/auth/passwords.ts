/**
 * Password hashes of the users file. Ours: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`, made by
 * `atlas-server hash-password`. Besides it, the three kinds Apache Atlas's `UserDao` checks,
 * so an Atlas `users-credentials.properties` works unchanged:
 *
 * - BCrypt (`$2a$`, `$2b$`, `$2y$`), what Atlas's `UserDao.encrypt` writes;
 * - SHA-256 of `password{user}` in lowercase hex (`UserDao.encodePassword`, the "v2" check;
 *   Atlas's shipped `admin` line is this one, for admin/admin);
 * - SHA-256 of the bare password in hex (the "v1" check).
 *
 * A 64-digit hex hash is tried as both SHA-256 kinds, as Atlas does: the file does not say
 * which one it is. An empty password never matches (Atlas refuses it before any check).
 */
import {
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from "node:crypto";
import bcrypt from "bcryptjs";

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
/** The memory a stored scrypt hash may ask for (128·N·r bytes): 256 MiB. */
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;
/**
 * BCrypt costs accepted (Atlas writes 10). bcryptjs runs on the main thread, in slices of up
 * to 100 ms between which the event loop runs, and every step of cost doubles the time: at
 * 14 one check takes ~2 s of this process's CPU; beyond, a users file could make each login
 * (and each wrong guess) cost minutes.
 */
export const BCRYPT_MAX_COST = 14;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export type HashKind = "scrypt" | "bcrypt" | "sha256" | "invalid";

const SCRYPT =
  /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SHA256 = /^[0-9a-f]{64}$/i;

export function hashKind(hash: string): HashKind {
  if (SCRYPT.test(hash)) return "scrypt";
  if (BCRYPT.test(hash)) return "bcrypt";
  if (SHA256.test(hash)) return "sha256";
  return "invalid";
}

/**
 * Why a stored hash cannot be used, or null when it can: the users file is refused at start
 * with this reason rather than failing (or running for hours) at the first login.
 */
export function hashProblem(hash: string): string | null {
  const scryptParts = SCRYPT.exec(hash);
  if (scryptParts) {
    const [n, r, p] = [scryptParts[1], scryptParts[2], scryptParts[3]].map(Number) as [
      number,
      number,
      number,
    ];
    const saltBytes = Buffer.from(scryptParts[4]!, "base64").length;
    const keyBytes = Buffer.from(scryptParts[5]!, "base64").length;
    if (!(n >= 2 && (n & (n - 1)) === 0 && n <= 1 << 20))
      return `its scrypt N (${n}) is not a power of two from 2 to 1048576`;
    if (!(r >= 1 && r <= 32)) return `its scrypt r (${r}) is not from 1 to 32`;
    if (!(p >= 1 && p <= 16)) return `its scrypt p (${p}) is not from 1 to 16`;
    if (128 * n * r > SCRYPT_MAX_MEMORY)
      return `its scrypt N·r (${n}·${r}) needs more than 256 MiB per check`;
    if (saltBytes < 8) return "its scrypt salt is shorter than 8 bytes";
    if (keyBytes < 16 || keyBytes > 64) return "its scrypt hash is not 16 to 64 bytes long";
    return null;
  }
  const bcryptParts = BCRYPT.exec(hash);
  if (bcryptParts) {
    const cost = Number(bcryptParts[1]);
    if (cost < 4 || cost > BCRYPT_MAX_COST)
      return `its BCrypt cost (${bcryptParts[1]}) is not from 04 to ${BCRYPT_MAX_COST} (Atlas writes 10)`;
    return null;
  }
  if (SHA256.test(hash)) return null;
  if (/^\$2[a-z]?\$/.test(hash))
    return "it is not a BCrypt hash of the form $2a$|$2b$|$2y$, two-digit cost, $, 53 characters of ./A-Za-z0-9";
  if (hash.startsWith("scrypt$"))
    return "it is not of the form scrypt$N$r$p$<salt base64>$<hash base64>";
  if (/^[0-9a-f]+$/i.test(hash)) return `it has ${hash.length} hex digits; a SHA-256 hash has 64`;
  return "it is none of: scrypt$… (atlas-server hash-password), BCrypt ($2a$…), SHA-256 hex";
}

export interface VerifyOptions {
  /** The user logging in: the salt of Atlas's salted SHA-256 (`password{user}`). */
  user?: string;
  /** Atlas's v1 check (`atlas.authentication.method.file.v1-validation.enabled`): default true. */
  plainSha256?: boolean;
  /** Atlas's v2 check (`…v2-validation.enabled`), tried only with a `user`: default true. */
  saltedSha256?: boolean;
}

/**
 * Constant-time check of a password against a stored hash. A 64-hex-digit hash is tried as
 * SHA-256 of `password{user}` and of the bare password, as far as `options` allow. A hash
 * that `hashProblem` refuses never matches.
 */
export async function verifyPassword(
  password: string,
  hash: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const { user, plainSha256 = true, saltedSha256 = true } = options;
  if (password === "" || hashProblem(hash) !== null) return false;
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
      maxmem: SCRYPT_MAX_MEMORY + 1024 * 1024,
    });
    return timingSafeEqual(got, want);
  }
  if (kind === "bcrypt") {
    try {
      return await bcrypt.compare(password, hash);
    } catch {
      return false; // as Atlas's checkPasswordBCrypt: a hash BCrypt cannot read is no match
    }
  }
  if (kind === "sha256") {
    const want = Buffer.from(hash, "hex");
    // Both computed whatever the first gives: the time does not tell which kind matched.
    const salted =
      user === undefined
        ? false
        : timingSafeEqual(sha256(mergePasswordAndSalt(password, user)), want);
    const plain = timingSafeEqual(sha256(password), want);
    return (saltedSha256 && salted) || (plainSha256 && plain);
  }
  return false;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Atlas's `UserDao.mergePasswordAndSalt` (after Spring's `BasePasswordEncoder`): a password
 * without text counts as empty, and a salt with text is appended in braces.
 */
function mergePasswordAndSalt(password: string, salt: string): string {
  const merged = hasText(password) ? password : "";
  return hasText(salt) ? `${merged}{${salt}}` : merged;
}

/**
 * Spring's `StringUtils.hasText`: some character that is not Java whitespace
 * (`Character.isWhitespace`: the Unicode space separators except the no-break ones, the line
 * and paragraph separators, and the ASCII controls \t \n \v \f \r and 0x1C–0x1F).
 */
function hasText(text: string): boolean {
  return /[^\t\n\v\f\r\u001C-\u001F\u2028\u2029\p{Zs}]|[\u00A0\u2007\u202F]/u.test(text);
}
