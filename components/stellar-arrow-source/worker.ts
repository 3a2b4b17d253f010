/**
 * Decode worker of the source (run by shared/worker_pool): zstd, batch split, ledger summary and
 * hash check for one lake batch object or RPC page, and the Flight messages of its ledgers when
 * asked. See `decode.ts` and `encode.ts`.
 *
 * @module
 */
import { serveWorker } from "../../shared/worker_pool/mod.ts";
import { decodeUnit } from "./decode.ts";
import type { DecodeRequest, DecodeResult } from "./decode_types.ts";

serveWorker<DecodeRequest, DecodeResult>((request) => {
  const result = decodeUnit(request);
  // The ledgers' XDR are views into one or a few buffers, and encoded messages own theirs: move
  // them, do not copy (empty XDR of encoded ledgers share one buffer that must stay here).
  const buffers = new Set<ArrayBuffer>();
  for (const l of result.ledgers) {
    if (l.xdr.byteLength > 0) buffers.add(l.xdr.buffer as ArrayBuffer);
    for (const m of l.encoded?.messages ?? []) buffers.add(m.buffer as ArrayBuffer);
  }
  return { result, transfer: [...buffers] };
});
