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
 * Encodes events as one Parquet file (zstd, `ttp_event` column types, row groups of
 * {@linkcode ROW_GROUP_SIZE}).
 */
export function encodeParquet(events: readonly TtpEvent[]): Uint8Array {
  const batch = eventsToRecordBatch(events);
  const ipc = arrow.tableToIPC(new arrow.Table([batch]), "stream");
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
  #pool: WorkerPool<TtpEvent[], Uint8Array>;

  /** @param size number of workers */
  constructor(size = 1) {
    this.#pool = new WorkerPool<TtpEvent[], Uint8Array>({
      url: new URL("./parquet_worker.ts", import.meta.url),
      size,
      name: "parquet",
    });
  }

  /** Encodes events in a worker. */
  encode(events: TtpEvent[]): Promise<Uint8Array> {
    return this.#pool.run(events);
  }

  /** Terminates the workers. */
  close(): void {
    this.#pool.close();
  }
}
