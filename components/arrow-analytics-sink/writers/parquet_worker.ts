/**
 * Web Worker: encodes `TtpEvent[]` to Parquet bytes (transferred back, not copied).
 *
 * @module
 */
import type { TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { serveWorker } from "../../../shared/worker_pool/mod.ts";
import { encodeParquet } from "./parquet.ts";

serveWorker<TtpEvent[], Uint8Array>((events) => {
  const bytes = encodeParquet(events);
  return { result: bytes, transfer: [bytes.buffer as ArrayBuffer] };
});
