/**
 * Web Worker: encodes data files (see `file_encoder.ts`); the file bytes are transferred back.
 *
 * @module
 */
import { serveWorker } from "../../../shared/worker_pool/mod.ts";
import { type EncodedFiles, encodeFiles, type EncodeRequest } from "./file_encoder.ts";

serveWorker<EncodeRequest, EncodedFiles>((request) => {
  const files = encodeFiles(request);
  const transfer = Object.values(files).map((bytes) => bytes.buffer as ArrayBuffer);
  return { result: files, transfer };
});
