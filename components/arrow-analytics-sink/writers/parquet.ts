/**
 * Parquet encoding of events with `parquet-wasm` (zstd): rows → `ttp_event` RecordBatch (shared
 * schema helper) → Arrow IPC stream → Parquet bytes, or straight from an IPC stream. Pure; runs
 * in the encoding worker (`file_encoder.ts`) or on the calling thread.
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

/**
 * Columns written without dictionary encoding: (nearly) one distinct value per row, so building
 * a dictionary only to fall back from it costs time, and the files come out smaller without.
 */
export const PLAIN_COLUMNS: readonly string[] = ["event_id", "tx_hash", "amount"];

/** Rows per Parquet row group. */
export const ROW_GROUP_SIZE = 64 * 1024;

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
  let builder = new WriterPropertiesBuilder()
    .setCompression(Compression.ZSTD)
    .setWriterVersion(WriterVersion.V2)
    .setMaxRowGroupSize(ROW_GROUP_SIZE)
    .setCreatedBy("arrow-analytics-sink");
  for (const name of PLAIN_COLUMNS) builder = builder.setColumnDictionaryEnabled(name, false);
  const props = builder.build();
  return writeParquet(table, props); // consumes (frees) the table and the properties
}
