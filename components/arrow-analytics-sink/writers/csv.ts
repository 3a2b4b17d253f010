/**
 * CSV encoding of events (RFC 4180): a header row of the `ttp_event` column names, CRLF line
 * ends, fields quoted when they hold a comma, quote, CR or LF, quotes doubled. A null is an empty
 * field; an empty string is `""`, so the two stay distinguishable. `closed_at` is RFC 3339 UTC as in the
 * shared JSON form.
 *
 * @module
 */
import {
  eventToJson,
  type TtpEvent,
  type TtpEventJson,
  ttpEventSchema,
} from "../../../shared/schema/ttp_event.ts";

/** The `ttp_event` column names in schema order: the CSV header. */
export const CSV_COLUMNS: readonly (keyof TtpEventJson)[] = ttpEventSchema.fields.map(
  (f) => f.name as keyof TtpEventJson,
);

const NEEDS_QUOTES = /[",\r\n]/;

/** Encodes one CSV field; `null`/`undefined` become an empty field. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  if (s === "") return '""';
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The header row, CRLF-terminated. */
export const CSV_HEADER: string = CSV_COLUMNS.join(",") + "\r\n";

/** Encodes one event as a CSV record, CRLF-terminated. */
export function csvRecord(e: TtpEvent): string {
  const json = eventToJson(e);
  let line = "";
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    line += (i === 0 ? "" : ",") + csvField(json[CSV_COLUMNS[i]]);
  }
  return line + "\r\n";
}

/** Encodes events as a CSV document with a header row. */
export function encodeCsv(events: readonly TtpEvent[]): string {
  let out = CSV_HEADER;
  for (const e of events) out += csvRecord(e);
  return out;
}

/**
 * Parses RFC 4180 CSV text into records of raw fields; an unquoted empty field is `null`, a
 * quoted one `""`. Used to read files back.
 *
 * @throws {SyntaxError} on an unterminated quoted field or text after a closing quote.
 */
export function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string | null;
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new SyntaxError(`Unterminated quoted CSV field at offset ${i}`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = value;
    } else {
      let j = i;
      while (j < n && text[j] !== "," && text[j] !== "\r" && text[j] !== "\n") j++;
      field = j === i ? null : text.slice(i, j);
      i = j;
    }
    record.push(field);
    if (i >= n) break;
    const c = text[i];
    if (c === ",") {
      i++;
      if (i >= n) record.push(null);
    } else if (c === "\r" || c === "\n") {
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      records.push(record);
      record = [];
    } else {
      throw new SyntaxError(`Expected a comma or line end after a quoted field at offset ${i}`);
    }
  }
  if (record.length > 0) records.push(record);
  return records;
}
