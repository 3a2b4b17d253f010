/**
 * Parquet encoding of events with `parquet-wasm` (zstd): rows → `ttp_event` RecordBatch (shared
 * schema helper) → Arrow IPC stream → Parquet bytes. Runs anywhere, including a Web Worker (see
 * `parquet_worker.ts` and {@linkcode ParquetWorkerEncoder}).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import {
  Compression,
  Table as WasmTable,
  writeParquet,
  WriterPropertiesBuilder,
  WriterVersion,
} from "parquet-wasm";
import { eventsToRecordBatch, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { WorkerPool } from "../../../shared/worker_pool/mod.ts";

/** Rows per Parquet row group. */
export const ROW_GROUP_SIZE = 64 * 1024;

/**
 * What a Parquet file is made of: the events, and optionally the same rows as `ttp_event` record
 * batches (as received from Flight), which spares rebuilding Arrow from the rows.
 */
export interface ParquetInput {
  events: readonly TtpEvent[];
  batches?: readonly arrow.RecordBatch[];
}

/** What the worker receives: rows, or an Arrow IPC stream of the rows. */
export type ParquetRequest = { events: TtpEvent[] } | { ipc: Uint8Array };

/** Builds the request for an input: IPC bytes (transferable) when batches are there. */
export function parquetRequest(input: ParquetInput): ParquetRequest {
  if (input.batches && input.batches.length > 0) {
    return { ipc: arrow.tableToIPC(new arrow.Table([...input.batches]), "stream") };
  }
  return { events: [...input.events] };
}

/** Encodes a request (in a worker or in-process). */
export function encodeParquetRequest(request: ParquetRequest): Uint8Array {
  return "ipc" in request ? encodeParquetIpc(request.ipc) : encodeParquet(request.events);
}

/** Encodes an input on the calling thread. */
export function encodeParquetInput(input: ParquetInput): Uint8Array {
  return encodeParquetRequest(parquetRequest(input));
}

/**
 * Encodes events as one Parquet file (zstd, `ttp_event` column types, row groups of
 * {@linkcode ROW_GROUP_SIZE}).
 */
export function encodeParquet(events: readonly TtpEvent[]): Uint8Array {
  const batch = eventsToRecordBatch(events);
  return encodeParquetIpc(arrow.tableToIPC(new arrow.Table([batch]), "stream"));
}

/** Encodes an Arrow IPC stream of `ttp_event` rows as one Parquet file. */
export function encodeParquetIpc(ipc: Uint8Array): Uint8Array {
  const table = WasmTable.fromIPCStream(ipc);
  const props = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setWriterVersion(WriterVersion.V2)
    .setMaxRowGroupSize(ROW_GROUP_SIZE)
    .setCreatedBy("arrow-analytics-sink")
    .build();
  return writeParquet(table, props); // consumes (frees) the table and the properties
}

/** Encodes Parquet in a pool of Web Workers, keeping the main thread free. */
export class ParquetWorkerEncoder {
  #pool: WorkerPool<ParquetRequest, Uint8Array>;

  /** @param size number of workers */
  constructor(size = 1) {
    this.#pool = new WorkerPool<ParquetRequest, Uint8Array>({
      url: new URL("./parquet_worker.ts", import.meta.url),
      size,
      name: "parquet",
    });
  }

  /**
   * Encodes in a worker. With batches, only their IPC bytes cross (transferred, not copied);
   * otherwise the rows are cloned over.
   */
  encode(input: ParquetInput | readonly TtpEvent[]): Promise<Uint8Array> {
    const request = parquetRequest(
      Array.isArray(input) ? { events: input } : input as ParquetInput,
    );
    return this.#pool.run(request, "ipc" in request ? [request.ipc.buffer as ArrayBuffer] : []);
  }

  /** Terminates the workers. */
  close(): void {
    this.#pool.close();
  }
}
