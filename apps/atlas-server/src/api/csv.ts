/**
 * Comma-separated values as spreadsheets write them (RFC 4180): fields in double quotes may
 * hold commas, line breaks and doubled quotes; lines end in LF or CRLF. Answers the rows,
 * each a list of fields, blank lines left out.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not data
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
    field = "";
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") endRow();
    else if (c === "\r" && text[i + 1] === "\n") {
      endRow();
      i++;
    } else field += c;
  }
  if (quoted) throw new CsvError("a quoted field is not closed before the end of the file");
  if (field !== "" || row.length > 0) endRow();
  return rows;
}

export class CsvError extends Error {
  override readonly name = "CsvError" as const;
  readonly code = "CSV_MALFORMED" as const;
}
