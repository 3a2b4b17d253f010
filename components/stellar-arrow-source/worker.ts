/**
 * Decode worker of the source (run by shared/worker_pool): zstd, batch split, ledger summary and
 * hash check for one lake batch object or RPC page. See `decode.ts`.
 *
 * @module
 */
import { serveWorker } from "../../shared/worker_pool/mod.ts";
import { decodeUnit } from "./decode.ts";
import type { DecodeRequest, DecodeResult } from "./decode_types.ts";

serveWorker<DecodeRequest, DecodeResult>((request) => {
  const result = decodeUnit(request);
  // The ledgers' XDR are views into one or a few buffers: move them, do not copy.
  const buffers = new Set<ArrayBuffer>();
  for (const l of result.ledgers) buffers.add(l.xdr.buffer as ArrayBuffer);
  return { result, transfer: [...buffers] };
});
