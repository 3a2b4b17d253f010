/**
 * Web Worker: encodes `ttp_event` rows or an Arrow IPC stream of them to Parquet bytes
 * (transferred back, not copied).
 *
 * @module
 */
import { serveWorker } from "../../../shared/worker_pool/mod.ts";
import { encodeParquetRequest, type ParquetRequest } from "./parquet.ts";

serveWorker<ParquetRequest, Uint8Array>((request) => {
  const bytes = encodeParquetRequest(request);
  return { result: bytes, transfer: [bytes.buffer as ArrayBuffer] };
});
