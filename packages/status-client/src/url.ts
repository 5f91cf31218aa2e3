import { StatusInputError } from "./errors.js";

export const STATUS_PATH = "api/atlas/admin/status";

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Turns what a user typed into the base URL we display and probe: `host:port` gets
 * `http://`, a trailing slash is dropped. A path prefix is kept (an instance may sit behind
 * a proxy under `/atlas1/`); query and fragment are refused because they would end up in
 * the middle of the status URL.
 */
export function normalizeBaseUrl(input: string): string {
  const trimmed = input.trim();
  if (trimmed === "") throw new StatusInputError("STATUS_BAD_URL", "An instance URL is empty.");
  const candidate = HAS_SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new StatusInputError(
      "STATUS_BAD_URL",
      `"${input}" is not a URL; give the base URL of an instance, e.g. http://atlas-1:21000.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StatusInputError(
      "STATUS_BAD_URL",
      `"${input}" uses ${url.protocol}; only http: and https: instances can be probed.`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new StatusInputError(
      "STATUS_BAD_URL",
      `"${input}" has a query or fragment; give the base URL only, e.g. http://atlas-1:21000.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** `<base>/api/atlas/admin/status`, with exactly one slash between the two. */
export function statusUrl(baseUrl: string): string {
  return `${baseUrl}/${STATUS_PATH}`;
}
