/**
 * Encoding of one data file per format (Parquet, JSON Lines, CSV) from a run of events, in a pool
 * of Web Workers ({@linkcode WorkerFileEncoder}) or on the calling thread ({@linkcode encodeInline}).
 *
 * When the rows came with their Arrow record batches (as received over Flight), only the batches'
 * IPC bytes go to the worker (transferred, not copied): Parquet is written from them directly and
 * the text formats from rows decoded there, so the main thread neither rebuilds Arrow nor clones
 * or stringifies rows.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { recordBatchToEvents, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { WorkerPool } from "../../../shared/worker_pool/mod.ts";
import { encodeCsv } from "./csv.ts";
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
  const getRows = (): TtpEvent[] => {
    if (!rows) {
      rows = [];
      const table = arrow.tableFromIPC((request as { ipc: Uint8Array }).ipc);
      for (const batch of table.batches) for (const e of recordBatchToEvents(batch)) rows.push(e);
    }
    return rows;
  };
  for (const format of request.formats) {
    switch (format) {
      case "parquet":
        out.parquet = "ipc" in request ? encodeParquetIpc(request.ipc) : encodeParquet(getRows());
        break;
      case "jsonl":
        out.jsonl = textEncoder.encode(encodeJsonl(getRows()));
        break;
      case "csv":
        out.csv = textEncoder.encode(encodeCsv(getRows()));
        break;
    }
  }
  return out;
}

/** Encodes on the calling thread. */
export const encodeInline: FileEncodeFn = (input, formats) =>
  Promise.resolve(encodeFiles(encodeRequest(input, formats)));

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

  /** Encodes in a worker; see the module doc. */
  encode: FileEncodeFn = (input, formats) => {
    const request = encodeRequest(input, formats);
    return this.#pool.run(request, "ipc" in request ? [request.ipc.buffer as ArrayBuffer] : []);
  };

  /**
   * Loads the workers' modules and compiles Parquet's WebAssembly by encoding nothing, so the
   * first real commit does not pay for it.
   */
  async warmUp(formats: readonly FileFormat[]): Promise<void> {
    const size = this.#pool.size;
    await Promise.all(Array.from({ length: size }, () => this.encode({ events: [] }, formats)));
  }

  /** Terminates the workers. */
  close(): void {
    this.#pool.close();
  }
}
