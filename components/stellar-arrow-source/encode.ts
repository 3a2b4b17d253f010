/**
 * Ledgers as `stellar_ledger` rows and Flight messages: {@linkcode toRows},
 * {@linkcode splitByBytes}, and {@linkcode encodeLedgers}, which builds the record batches of a
 * decoded unit and encodes them as gRPC-framed FlightData in the decode worker, so that the main
 * thread only writes finished messages. The bytes are those the Flight server would send for the
 * same batches (same `FlightDataEncoder`, same protobuf writer).
 *
 * @module
 */
import { chunkBySize } from "../../shared/collections/mod.ts";
import {
  encodeFlightDataFramed,
  flightDataEncodedSize,
  GRPC_PREFIX_BYTES,
} from "../../shared/flight/flight_data_codec.ts";
import { FlightDataEncoder } from "../../shared/flight/ipc.ts";
import { MAX_MESSAGE_BYTES } from "../../shared/flight/channel_options.ts";
import * as arrow from "apache-arrow";
import {
  BufferRegion,
  FieldNode,
  RecordBatch as RecordBatchHeader,
} from "apache-arrow/ipc/metadata/message";
import type { FlightDataMessage } from "../../shared/flight/flight_data_codec.ts";
import {
  ledgerRowsToRecordBatch,
  STELLAR_LEDGER_SCHEMA_VERSION,
  type StellarLedgerRow,
  stellarLedgerSchema,
} from "../../shared/schema/mod.ts";
import type { DecodedLedger, EncodeRequest } from "./decode_types.ts";

/** Converts decoded ledgers to `stellar_ledger` rows. */
export function toRows(
  ledgers: readonly DecodedLedger[],
  ctx: { networkId: Uint8Array; sourceType: "datalake" | "rpc"; ingestionTime: number },
): StellarLedgerRow[] {
  return ledgers.map((l) => ({
    sequence: l.sequence,
    hash: l.hash,
    previous_hash: l.previousHash,
    close_time: l.closeTime * 1000,
    ingestion_time: ctx.ingestionTime,
    protocol_version: l.protocolVersion,
    network_id: ctx.networkId,
    transaction_count: l.transactionCount,
    successful_transaction_count: l.successfulTransactionCount,
    failed_transaction_count: l.failedTransactionCount,
    operation_count: l.operationCount,
    total_fees: l.totalFees,
    fee_pool: l.feePool,
    base_fee: l.baseFee,
    base_reserve: l.baseReserve,
    max_tx_set_size: l.maxTxSetSize,
    ledger_xdr: l.xdr,
    source_type: ctx.sourceType,
    source_url: l.object,
    schema_version: STELLAR_LEDGER_SCHEMA_VERSION,
  }));
}

/** Splits rows into groups whose `ledger_xdr` bytes stay within `budget` (at least one row each). */
export function splitByBytes<T extends { ledger_xdr: Uint8Array }>(
  rows: readonly T[],
  budget: number,
): T[][] {
  return chunkBySize(rows, (r) => r.ledger_xdr.length, { maxSize: budget });
}

const EMPTY = new Uint8Array(0);
let encoder: FlightDataEncoder | undefined;

type ColumnKind = "u32" | "fsb32" | "i64" | "ts" | "binary" | "utf8";

/** The `stellar_ledger` columns as the one-row encoder writes them, or null if it cannot. */
const COLUMNS: { name: keyof StellarLedgerRow; kind: ColumnKind }[] | null = (() => {
  const out: { name: keyof StellarLedgerRow; kind: ColumnKind }[] = [];
  for (const f of stellarLedgerSchema.fields) {
    const t = f.type;
    let kind: ColumnKind;
    if (arrow.DataType.isInt(t) && t.bitWidth === 32 && !t.isSigned) kind = "u32";
    else if (arrow.DataType.isInt(t) && t.bitWidth === 64 && t.isSigned) kind = "i64";
    else if (arrow.DataType.isFixedSizeBinary(t) && t.byteWidth === 32) kind = "fsb32";
    else if (arrow.DataType.isTimestamp(t) && t.unit === arrow.TimeUnit.MICROSECOND) kind = "ts";
    else if (arrow.DataType.isBinary(t)) kind = "binary";
    else if (arrow.DataType.isUtf8(t)) kind = "utf8";
    else return null;
    out.push({ name: f.name as keyof StellarLedgerRow, kind });
  }
  return out;
})();

const utf8 = new TextEncoder();
const pad8 = (n: number) => (n + 7) & ~7;

/**
 * The IPC RecordBatch message of a one-row `stellar_ledger` batch, written directly: the body
 * laid out as apache-arrow's `VectorAssembler` lays it out (every buffer padded to 8 bytes, empty
 * validity buffers as there are no nulls) and the header encoded by apache-arrow itself from the
 * same field nodes and buffer regions, so the bytes equal `FlightDataEncoder.encode` of the batch
 * (tested) without building the batch. The XDR is not copied here: the body refers to it.
 * Returns null for rows it does not handle (a null value), which take the general path.
 */
export function encodeOneRow(row: StellarLedgerRow): FlightDataMessage | null {
  // Near the Flight message limit the general path says RESOURCE_EXHAUSTED with the sizes.
  if (!COLUMNS || row.ledger_xdr.byteLength > MAX_MESSAGE_BYTES / 2) return null;
  const texts = new Map<string, Uint8Array>();
  let before = 0; // body bytes before the ledger_xdr values
  let after = 0; // body bytes after them
  let seenXdr = false;
  const nodes: FieldNode[] = [];
  const regions: BufferRegion[] = [];
  let at = 0;
  const region = (length: number) => {
    regions.push(new BufferRegion(at, length));
    at += length;
  };
  for (const c of COLUMNS) {
    const v = row[c.name];
    if (v === null || v === undefined) return null;
    nodes.push(new FieldNode(1, 0));
    region(0); // validity: none, no nulls
    let size: number;
    switch (c.kind) {
      case "u32":
      case "i64":
      case "ts":
        size = 8;
        region(8);
        break;
      case "fsb32":
        if ((v as Uint8Array).byteLength !== 32) return null;
        size = 32;
        region(32);
        break;
      case "binary": {
        region(8); // offsets [0, n]
        const n = (v as Uint8Array).byteLength;
        regions.push(new BufferRegion(at, pad8(n)));
        at += pad8(n);
        before += 8;
        seenXdr = true;
        after += pad8(n) - n;
        continue;
      }
      case "utf8": {
        const bytes = utf8.encode(v as string);
        texts.set(c.name, bytes);
        region(8);
        region(pad8(bytes.byteLength));
        size = 8 + pad8(bytes.byteLength);
        break;
      }
    }
    if (seenXdr) after += size;
    else before += size;
  }
  const xdr = row.ledger_xdr;
  const header = arrow.Message.encode(
    arrow.Message.from(new RecordBatchHeader(1, nodes, regions, null, [], new Map()), at),
  );
  const head = new Uint8Array(before);
  const tail = new Uint8Array(after);
  const hv = new DataView(head.buffer);
  const tv = new DataView(tail.buffer);
  let out = head;
  let view = hv;
  let pos = 0;
  for (const c of COLUMNS) {
    const v = row[c.name];
    switch (c.kind) {
      case "u32":
        view.setUint32(pos, v as number, true);
        pos += 8;
        break;
      case "i64":
        view.setBigInt64(pos, v as bigint, true);
        pos += 8;
        break;
      case "ts":
        view.setBigInt64(pos, BigInt(Math.round((v as number) * 1000)), true);
        pos += 8;
        break;
      case "fsb32":
        out.set(v as Uint8Array, pos);
        pos += 32;
        break;
      case "binary":
        view.setInt32(pos + 4, xdr.byteLength, true);
        out = tail;
        view = tv;
        pos = pad8(xdr.byteLength) - xdr.byteLength;
        break;
      case "utf8": {
        const bytes = texts.get(c.name)!;
        view.setInt32(pos + 4, bytes.byteLength, true);
        out.set(bytes, pos + 8);
        pos += 8 + pad8(bytes.byteLength);
        break;
      }
    }
  }
  return { header, body: [head, xdr, tail] };
}

/** Most message buffers kept for reuse per thread. */
const POOL_LIMIT = 8;
/** New message buffers are rounded up to this, so a later message of similar size fits. */
const POOL_GRAIN = 256 * 1024;
const pool: ArrayBuffer[] = [];

function recycle(buffers: readonly ArrayBuffer[] | undefined): void {
  for (const b of buffers ?? []) {
    if (pool.length >= POOL_LIMIT) break;
    if (b.byteLength > 0 && !pool.includes(b)) pool.push(b);
  }
}

/** The smallest pooled buffer of at least `size` bytes (taken out of the pool), if any. */
function takeBuffer(size: number): ArrayBuffer | undefined {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const n = pool[i].byteLength;
    if (n >= size && (best < 0 || n < pool[best].byteLength)) best = i;
  }
  return best < 0 ? undefined : pool.splice(best, 1)[0];
}

const reserve = (size: number) => Math.ceil(size / POOL_GRAIN) * POOL_GRAIN;

function encodeMessage(frame: Parameters<typeof encodeFlightDataFramed>[0]): Uint8Array {
  const size = flightDataEncodedSize(frame) + GRPC_PREFIX_BYTES;
  return encodeFlightDataFramed(frame, { into: takeBuffer(size), reserve });
}

/**
 * Keeps the ledgers of `ledgers` within the request's range and encodes them: rows (ingestion
 * time now), record batches of at most `batchBytes` of XDR, FlightData messages (a batch above the
 * Flight target size is split like the server splits it). Each batch's messages go on its last
 * ledger (`encoded`); every returned ledger's `xdr` is emptied, the bytes being in the messages.
 * Messages are written into the request's `recycle` buffers where they fit (kept in a small
 * per-thread pool), otherwise into new buffers with some headroom for later reuse.
 *
 * @throws {FlightError} `RESOURCE_EXHAUSTED` when one ledger encodes above the Flight limit.
 */
export function encodeLedgers(
  ledgers: readonly DecodedLedger[],
  req: EncodeRequest,
): DecodedLedger[] {
  recycle(req.recycle);
  const kept = ledgers.filter((l) => l.sequence >= req.start && l.sequence <= req.end);
  const rows = toRows(kept, {
    networkId: req.networkId,
    sourceType: req.sourceType,
    ingestionTime: Date.now(),
  });
  encoder ??= new FlightDataEncoder(stellarLedgerSchema);
  let at = 0;
  for (const part of splitByBytes(rows, req.batchBytes)) {
    let xdrBytes = 0;
    for (const r of part) xdrBytes += r.ledger_xdr.byteLength;
    const one = part.length === 1 ? encodeOneRow(part[0]) : null;
    const frames = one ? [one] : encoder.encode(ledgerRowsToRecordBatch(part));
    const messages = frames.map(encodeMessage);
    at += part.length;
    kept[at - 1].encoded = { messages, ledgers: part.length, xdrBytes };
  }
  for (const l of kept) l.xdr = EMPTY;
  return kept;
}
