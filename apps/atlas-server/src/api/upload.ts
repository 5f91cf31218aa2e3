/**
 * CSV file uploads as Atlas's upload endpoints take them (business metadata, glossary
 * terms): a multipart form whose field `file` carries a `.csv` file. Answers its data rows
 * (the header line dropped, rows of one field left out, as Atlas's reader does), or Atlas's
 * error for a file it cannot read. Excel files, which Atlas also reads, are refused with its
 * file-type code.
 */
import { ATLAS_ERRORS, type AtlasErrorCodeEntry } from "@atlas-ha/shared";
import type { Context } from "koa";
import { AtlasHttpError, errors } from "../http/errors.js";
import { readMultipart } from "../http/multipart.js";
import { CsvError, parseCsv } from "./csv.js";

/** The most data rows one upload may carry. */
export const MAX_UPLOAD_ROWS = 10_000;

/** Atlas's BulkImportResponse.ImportInfo (without rowNumber: Atlas 2.4's clients refuse it). */
export interface ImportInfo {
  parentObjectName: string;
  childObjectName: string;
  importStatus: "SUCCESS" | "FAILED";
  remarks: string;
}

export const importInfo = (
  parent: string,
  child: string,
  ok: boolean,
  remarks = "",
): ImportInfo => ({
  parentObjectName: parent,
  childObjectName: child,
  importStatus: ok ? "SUCCESS" : "FAILED",
  remarks,
});

export const fail = (entry: AtlasErrorCodeEntry, message: string) =>
  new AtlasHttpError(entry.status, entry.code, message);

/**
 * The CSV's data rows. `noFileName` is what the endpoint answers for an upload without a file
 * name (Atlas differs per endpoint).
 */
export async function readCsvUpload(
  ctx: Context,
  limit: number,
  noFileName: () => Error,
): Promise<string[][]> {
  const parts = await readMultipart(ctx, limit);
  // Atlas's own Java client sends two "file" parts: the content (named "file" as a file
  // name too), then the real file name with the word "file" as its content. A browser or
  // curl sends one part with both. The name is the one with an extension; the content, the first part.
  const files = parts.filter((p) => p.name === "file");
  const names = files.map((p) => p.filename).filter((n): n is string => !!n);
  const filename = names.find((n) => /\.[^./\\]+$/.test(n)) ?? names[0];
  if (!filename) throw noFileName();
  if (!/\.csv$/i.test(filename))
    throw fail(
      ATLAS_ERRORS.INVALID_FILE_TYPE,
      `The provided file type: ${filename} is not supported. Expected file format is .csv`,
    );
  let rows: string[][];
  try {
    rows = parseCsv(files[0]!.data.toString("utf8")).slice(1); // the first line is the header
  } catch (error) {
    if ((error as { code?: string }).code !== "CSV_MALFORMED") throw error;
    throw fail(ATLAS_ERRORS.NOT_VALID_FILE, `Invalid CSV file: ${(error as CsvError).message}`);
  }
  rows = rows.filter((r) => r.length > 1);
  if (rows.length === 0)
    throw fail(ATLAS_ERRORS.NO_DATA_FOUND, "No data found in the uploaded file");
  if (rows.length > MAX_UPLOAD_ROWS)
    throw errors.invalid(`the file has ${rows.length} rows; at most ${MAX_UPLOAD_ROWS} per upload`);
  return rows;
}
