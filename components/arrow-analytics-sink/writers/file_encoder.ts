/**
 * Encoding of one data file per format (Parquet, JSON Lines, CSV) from a run of events.
 *
 * When the rows came with their Arrow record batches (as received over Flight), every file is
 * written from the batches: {@linkcode WorkerFileEncoder} sends only their Arrow IPC bytes to a
 * Web Worker (transferred, not copied), which writes Parquet from them with `parquet-wasm` and the
 * text formats by copying the cells' UTF-8 bytes (`arrow_text.ts`), so the main thread spends no
 * time per row on files. Without batches (rows that came some other way), Parquet is built from
 * the rows in the worker and the text formats are encoded on the calling thread from the rows it
 * already holds, in slices with yields in between so that the WebSocket and REST servers stay
 * responsive. {@linkcode encodeInline} does all of it on the calling thread.
 * {@linkcode encodeFiles} is the pure, synchronous form of both.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import * as arrow from "apache-arrow";
import {
  eventsToRecordBatch,
  recordBatchToEvents,
  TTP_EVENT_SCHEMA_VERSION,
  type TtpEvent,
} from "../../../shared/schema/ttp_event.ts";
import { WorkerPool } from "../../../shared/worker_pool/mod.ts";
import { encodeCsvFromBatches, encodeJsonlFromBatches } from "./arrow_text.ts";
import { CSV_HEADER, csvRecord, encodeCsv } from "./csv.ts";
import { encodeJsonl } from "./jsonl.ts";
import { encodeParquet, encodeParquetIpc } from "./parquet.ts";
import type { FileFormat } from "./partition.ts";

/** The rows of one file: events, and optionally the same rows as `ttp_event` record batches. */
export interface EncodeInput {
  events: readonly TtpEvent[];
  batches?: readonly arrow.RecordBatch[];
}

/** What crosses to the encoder: the formats, and the rows or an Arrow IPC stream of them. */
export type EncodeRequest =
  | { formats: FileFormat[]; events: TtpEvent[] }
  | { formats: FileFormat[]; ipc: Uint8Array };

/** File bytes per requested format. */
export type EncodedFiles = Partial<Record<FileFormat, Uint8Array>>;

/** Encodes the files of one input. */
export type FileEncodeFn = (
  input: EncodeInput,
  formats: readonly FileFormat[],
) => Promise<EncodedFiles>;

const textEncoder = new TextEncoder();

/** Builds the request for an input: IPC bytes when batches are there, else the rows. */
export function encodeRequest(input: EncodeInput, formats: readonly FileFormat[]): EncodeRequest {
  if (input.batches && input.batches.length > 0) {
    return {
      formats: [...formats],
      ipc: arrow.tableToIPC(new arrow.Table([...input.batches]), "stream"),
    };
  }
  return { formats: [...formats], events: [...input.events] };
}

/** Encodes a request (pure: used by the worker and inline). */
export function encodeFiles(request: EncodeRequest): EncodedFiles {
  const out: EncodedFiles = {};
  let rows: TtpEvent[] | undefined = "events" in request ? request.events : undefined;
  let table: arrow.Table | undefined;
  const getTable = () => table ??= arrow.tableFromIPC((request as { ipc: Uint8Array }).ipc);
  const getRows = (): TtpEvent[] => {
    if (!rows) {
      rows = [];
      for (const batch of getTable().batches) {
        for (const e of recordBatchToEvents(batch)) rows.push(e);
      }
    }
    return rows;
  };
  // Text straight from the Arrow data when there is some and it has the ttp_event types.
  const fromArrow = (encode: (b: arrow.RecordBatch[]) => Uint8Array): Uint8Array | undefined => {
    if (!("ipc" in request)) return undefined;
    try {
      return encode(getTable().batches);
    } catch (error) {
      if (error instanceof RangeError) return undefined; // other column types: from the rows
      throw error;
    }
  };
  for (const format of request.formats) {
    switch (format) {
      case "parquet":
        out.parquet = "ipc" in request ? encodeParquetIpc(request.ipc) : encodeParquet(getRows());
        break;
      case "jsonl":
        out.jsonl = fromArrow(encodeJsonlFromBatches) ??
          textEncoder.encode(encodeJsonl(getRows()));
        break;
      case "csv":
        out.csv = fromArrow(encodeCsvFromBatches) ?? textEncoder.encode(encodeCsv(getRows()));
        break;
    }
  }
  return out;
}

/** Events per slice of text encoding between yields to the event loop. */
export const TEXT_SLICE_EVENTS = 1000;

/** Encodes a JSON Lines or CSV file on the calling thread, yielding between slices. */
export async function encodeTextFile(
  events: readonly TtpEvent[],
  format: "jsonl" | "csv",
): Promise<Uint8Array> {
  const parts: string[] = format === "csv" ? [CSV_HEADER] : [];
  for (let at = 0; at < events.length; at += TEXT_SLICE_EVENTS) {
    if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const slice = events.slice(at, at + TEXT_SLICE_EVENTS);
    if (format === "jsonl") parts.push(encodeJsonl(slice));
    else {
      let text = "";
      for (const e of slice) text += csvRecord(e);
      parts.push(text);
    }
  }
  return textEncoder.encode(parts.join(""));
}

async function encodeSplit(
  input: EncodeInput,
  formats: readonly FileFormat[],
  encoder: (request: EncodeRequest) => Promise<EncodedFiles>,
): Promise<EncodedFiles> {
  if (input.batches && input.batches.length > 0) {
    return await encoder(encodeRequest(input, formats)); // every file from the Arrow data
  }
  const jobs: Promise<EncodedFiles>[] = [];
  if (formats.includes("parquet")) jobs.push(encoder(encodeRequest(input, ["parquet"])));
  for (const format of formats) {
    if (format === "jsonl" || format === "csv") {
      jobs.push(encodeTextFile(input.events, format).then((bytes) => ({ [format]: bytes })));
    }
  }
  return Object.assign({}, ...await Promise.all(jobs));
}

/** Rows of the synthetic batch {@linkcode WorkerFileEncoder.warmUp} encodes. */
export const WARM_UP_ROWS = 4096;
/** How often each worker encodes it. */
export const WARM_UP_ROUNDS = 3;

/** Synthetic `ttp_event` rows shaped like real ones (strkey-long addresses, hex hashes). */
function warmUpBatch(): arrow.RecordBatch {
  const key = (prefix: string, n: number) =>
    prefix + n.toString(32).toUpperCase().padStart(55, "A");
  const types = ["transfer", "fee", "mint", "burn", "transfer", "transfer"] as const;
  const events: TtpEvent[] = [];
  for (let i = 0; i < WARM_UP_ROWS; i++) {
    const type = types[i % types.length];
    const classic = i % 3 !== 0;
    events.push({
      event_id: `${String(1 + i).padStart(19, "0")}-${String(i % 7).padStart(10, "0")}`,
      ledger_sequence: 1 + (i >> 9),
      closed_at: Date.UTC(2026, 0, 1) + (i >> 9) * 5000,
      tx_hash: (i * 2654435761).toString(16).padStart(64, "0"),
      transaction_index: 1 + (i >> 3),
      operation_index: type === "fee" ? null : 1 + (i & 7),
      event_type: type,
      from_address: type === "mint" ? null : key("G", i),
      to_address: type === "burn" || type === "fee" ? null : key("G", i * 31),
      asset: classic ? `USDC:${key("G", 7)}` : i % 2 ? "native" : null,
      asset_code: classic ? "USDC" : i % 2 ? "XLM" : null,
      asset_issuer: classic ? key("G", 7) : null,
      amount: String(i * 1000003 - (type === "fee" ? 5000 : 0)),
      contract_address: key("C", i % 5),
      to_muxed_type: i % 11 === 0 ? "text" : null,
      to_muxed_value: i % 11 === 0 ? `memo, "${i}"` : null,
      schema_version: TTP_EVENT_SCHEMA_VERSION,
    });
  }
  return eventsToRecordBatch(events);
}

/** Encodes on the calling thread. */
export const encodeInline: FileEncodeFn = (input, formats) =>
  encodeSplit(input, formats, (request) => Promise.resolve(encodeFiles(request)));

/** Encodes in a pool of Web Workers (`encode_worker.ts`). */
export class WorkerFileEncoder {
  #pool: WorkerPool<EncodeRequest, EncodedFiles>;

  /** @param size number of workers */
  constructor(size = 1) {
    this.#pool = new WorkerPool<EncodeRequest, EncodedFiles>({
      url: new URL("./encode_worker.ts", import.meta.url),
      size,
      name: "file-encoder",
    });
  }

  /** Encodes in a worker (the text formats from rows here); see the module doc. */
  encode: FileEncodeFn = (input, formats) =>
    encodeSplit(
      input,
      formats,
      (request) =>
        this.#pool.run(request, "ipc" in request ? [request.ipc.buffer as ArrayBuffer] : []),
    );

  /**
   * Loads the workers' modules and gets Parquet's WebAssembly and the text encoders compiled and
   * optimised by encoding a synthetic batch of {@linkcode WARM_UP_ROWS} rows
   * {@linkcode WARM_UP_ROUNDS} times per worker (results discarded), so the first real commits do
   * not pay for it (a cold first encode costs several times a warm one).
   */
  async warmUp(formats: readonly FileFormat[]): Promise<void> {
    const size = this.#pool.size;
    if (formats.length === 0) return;
    const batch = warmUpBatch();
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await Promise.all(
        Array.from({ length: size }, () => this.encode({ events: [], batches: [batch] }, formats)),
      );
    }
  }

  /** Terminates the workers. */
  close(): void {
    this.#pool.close();
  }
}
