/**
 * The fast path of the extraction: the `ttp_event` rows of a ledger whose every transaction is
 * read in unified mode (transaction meta v4 carrying CAP-67 fee events, which is every ledger
 * from protocol 23), read straight from the XDR bytes in one pass.
 *
 * The general path ({@linkcode extractLedger}) decodes each transaction's meta into objects, then
 * each contract event, then builds token events, ordered events and rows. This scan walks the
 * same bytes once, skips what TTP does not read with the XDR walker's `skip`, reads contract
 * events in place and builds only the rows. It applies the same rules (`contract_events.ts`:
 * SEP-41/SAC v4 events, CAP-67 fee events; `ordering.ts`; `event_id.ts`) and gives the same rows,
 * which `unified_scan_test.ts` checks against the general path on real and altered ledgers.
 *
 * It checks the bytes as the general path does (what that path decodes is checked with the XDR
 * walker's `check`, what it leaves lazy is skipped) and does not decide anything the general path
 * would decide differently: a ledger it cannot read in full (a transaction in derived mode, meta other than v4, a malformed or unexpected value, a
 * wrong passphrase) gives `null`, and the caller runs the general path, which names the error.
 *
 * @module
 */
import { TTP_EVENT_SCHEMA_VERSION, type TtpEvent } from "../schema/ttp_event.ts";
import type { Asset } from "../stellar/asset.ts";
import { NATIVE } from "../stellar/asset.ts";
import { sacContractAddress } from "../stellar/contract_id.ts";
import { toHex } from "../stellar/hash.ts";
import { encodeMuxedAccount, encodeStrkeyAt } from "../stellar/strkey.ts";
import {
  check,
  decode,
  decodeXdrString,
  skip,
  stellarXdr,
  type XdrType,
  xdrType,
} from "../xdr/mod.ts";
import { i128String, SAC_TOPICS, sacAsset } from "./contract_events.ts";
import { eventIdPrefix, eventIndexDigits } from "./event_id.ts";
import { type AssetColumns, assetColumns } from "./rows.ts";
import { envelopeHashAt, transactionSucceeded } from "./ledger_reader.ts";
import type { LedgerInfo } from "./ledger_tx.ts";
import type { TtpMode } from "./transaction_events.ts";

/** Options of {@linkcode scanUnifiedLedger}. */
export interface ScanOptions {
  /** Network passphrase (transaction hashes, SAC addresses). */
  networkPassphrase: string;
  /** Extraction mode; `derived` is never scanned. Default `auto`. */
  mode?: TtpMode;
}

/** A scanned ledger: its facts and its ordered rows. */
export interface ScannedLedger {
  /** Ledger-level facts. */
  ledger: LedgerInfo;
  /** The ordered `ttp_event` rows, as `extractLedger(...).events` gives them. */
  events: TtpEvent[];
}

/** Thrown inside the scan when the ledger is not for this path; never leaves the module. */
class NotScannable extends Error {
  override name = "NotScannable";
}

function field(struct: string, name: string): XdrType {
  const f = stellarXdr.structFields(struct).find((x) => x.name === name);
  if (!f) throw new Error(`XDR struct ${struct} has no field ${name}`);
  return f.type;
}

const T_LCM_EXT = xdrType("LedgerCloseMetaExt");
const T_HEADER = xdrType("LedgerHeaderHistoryEntry");
const T_ENVELOPE = xdrType("TransactionEnvelope");
const T_RESULT = xdrType("TransactionResult");
const T_CHANGES = xdrType("LedgerEntryChanges");
const T_BASE_FEE = field("TxSetComponentTxsMaybeDiscountedFee", "baseFee");
const T_SOROBAN_META = field("TransactionMetaV4", "sorobanMeta");
const T_DIAGNOSTICS = field("TransactionMetaV4", "diagnosticEvents");
const T_SC_VAL = xdrType("SCVal");
const T_CONTRACT_EVENT = xdrType("ContractEvent");
/** Fields after `txProcessing`, by `LedgerCloseMeta` arm. */
const TAILS: XdrType[][] = ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"].map(
  (name) => {
    const fields = stellarXdr.structFields(name);
    const at = fields.findIndex((f) => f.name === "txProcessing");
    return fields.slice(at + 1).map((f) => f.type);
  },
);

// SCVal arms read here.
const SCV_VOID = 1;
const SCV_U64 = 5;
const SCV_I128 = 10;
const SCV_BYTES = 13;
const SCV_STRING = 14;
const SCV_SYMBOL = 15;
const SCV_MAP = 17;
const SCV_ADDRESS = 18;
const CONTRACT_EVENT_TYPE_CONTRACT = 1;

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const SYM_FEE = enc("fee");
const SYM_AMOUNT = enc("amount");
const SYM_TO_MUXED_ID = enc("to_muxed_id");
/** Token event names by the symbol's bytes; the index is the kind below. */
const TOKEN_SYMBOLS = [enc("transfer"), enc("mint"), enc("burn"), enc("clawback")];
const TOKEN_TYPES = ["transfer", "mint", "burn", "clawback"] as const;
const TRANSFER = 0;
const MINT = 1;
const BURN = 2;
const CLAWBACK = 3;

// Reads stay int32 (no `>>> 0` unless unsigned is meant): V8 keeps them in registers, where
// uint32 values past 2^31 would become heap numbers and deoptimise the callers.
function i32(b: Uint8Array, o: number): number {
  if (o + 4 > b.length) throw new NotScannable(`4 bytes expected at ${o}`);
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** A count or length: a uint32 that must fit an int32 (anything bigger cannot fit the input). */
function count(b: Uint8Array, o: number): number {
  const n = i32(b, o);
  if (n < 0) throw new NotScannable(`length ${n >>> 0} at ${o}`);
  return n;
}

function u32(b: Uint8Array, o: number): number {
  return i32(b, o) >>> 0;
}

/** Checks that the int-switched union (e.g. `ExtensionPoint`) at `o` has arm `arm`. */
function expectArm(b: Uint8Array, o: number, arm: number, what: string): void {
  const d = i32(b, o);
  if (d !== arm) throw new NotScannable(`${what}: arm ${d}, expected ${arm}`);
}

/** Whether the SCSymbol/SCString body (length, bytes) at `o` equals `sym`. */
function bytesEqual(b: Uint8Array, o: number, sym: Uint8Array): boolean {
  if (i32(b, o) !== sym.length) return false;
  for (let i = 0; i < sym.length; i++) if (b[o + 4 + i] !== sym[i]) return false;
  return true;
}

/** Decimal string of the u64 at `o`. */
function u64String(b: Uint8Array, o: number): string {
  const hi = i32(b, o);
  const lo = i32(b, o + 4) >>> 0;
  if (hi >= 0 && hi < 0x200000) return String(hi * 0x100000000 + lo);
  return ((BigInt(hi >>> 0) << 32n) | BigInt(lo)).toString();
}

/** Decimal string of the `Int128Parts` at `o` (`hi` signed 64, `lo` unsigned 64). */
function i128At(b: Uint8Array, o: number): string {
  const hh = i32(b, o);
  const hl = i32(b, o + 4);
  const lh = i32(b, o + 8);
  const ll = i32(b, o + 12) >>> 0;
  // Within ±2^53 the value is lh * 2^32 + ll, with hi the sign extension of lh.
  if (
    (hh === 0 && hl === 0 && lh >= 0 && lh < 0x200000) ||
    (hh === -1 && hl === -1 && lh < 0 && lh >= -0x200000)
  ) {
    return String(lh * 0x100000000 + ll);
  }
  const hi = (BigInt(hh) << 32n) | BigInt(hl >>> 0);
  const lo = (BigInt(lh >>> 0) << 32n) | BigInt(ll);
  return i128String({ hi, lo });
}

/** Strkey of the SCVal at `o` when it is an `SCV_ADDRESS`, else null. */
function addressAt(b: Uint8Array, o: number): string | null {
  if (i32(b, o) !== SCV_ADDRESS) return null;
  // SCAddress arms; `skip` checked every discriminant (PublicKey, ClaimableBalanceID).
  switch (i32(b, o + 4)) {
    case 0:
      return encodeStrkeyAt("account", b, o + 12);
    case 1:
      return encodeStrkeyAt("contract", b, o + 8);
    case 2: {
      const id = (BigInt(u32(b, o + 8)) << 32n) | BigInt(u32(b, o + 12));
      return encodeMuxedAccount(b.subarray(o + 16, o + 48), id);
    }
    case 3:
      // ClaimableBalanceID: the type (0, checked) then the hash; the strkey payload is the type's
      // last byte and the hash.
      return encodeStrkeyAt("claimableBalance", b, o + 11);
    case 4:
      return encodeStrkeyAt("liquidityPool", b, o + 8);
    default:
      return null;
  }
}

/** Where the parts of the last contract event read by {@linkcode readContractEvent} are. */
const ev = {
  /** Offset of the 32-byte contract id, or -1 when absent. */
  contractId: -1,
  /** `ContractEventType` value. */
  type: 0,
  /** Number of topics. */
  topicCount: 0,
  /** Offsets of the topics (first `topicCount` entries). */
  topics: new Int32Array(16),
  /** Offset of the data SCVal. */
  data: 0,
};

/** Reads and checks the `ContractEvent` at `o` into {@link ev}; returns its end. */
function readContractEvent(b: Uint8Array, o: number): number {
  expectArm(b, o, 0, "ContractEvent.ext");
  let p = o + 4;
  const flag = i32(b, p);
  if (flag !== 0 && flag !== 1) throw new NotScannable(`optional flag ${flag}`);
  p += 4;
  ev.contractId = flag === 1 ? p : -1;
  if (flag === 1) p += 32;
  ev.type = i32(b, p);
  if (ev.type < 0 || ev.type > 2) throw new NotScannable(`ContractEventType ${ev.type}`);
  p += 4;
  expectArm(b, p, 0, "ContractEventBody");
  const n = count(b, p + 4);
  p += 8;
  if (n * 4 > b.length - p) throw new NotScannable(`${n} topics do not fit`);
  if (n > ev.topics.length) ev.topics = new Int32Array(n);
  ev.topicCount = n;
  // Checked, not only skipped: the general path decodes these events in full (enum values and
  // bools included), and the scan must not accept what it would reject.
  for (let i = 0; i < n; i++) {
    ev.topics[i] = p;
    p = check(T_SC_VAL, b, p);
  }
  ev.data = p;
  return check(T_SC_VAL, b, p);
}

/** Amount and destination muxing of the last token event data read by {@linkcode readV4Data}. */
const data = {
  amount: "",
  muxType: null as TtpEvent["to_muxed_type"],
  muxValue: null as string | null,
};

/**
 * Reads a v4 token event's data SCVal at `o` into {@link data} (rules of `v4Data`): an i128, or a
 * map with an i128 `amount` and an optional `to_muxed_id`. False when malformed.
 */
function readV4Data(b: Uint8Array, o: number): boolean {
  const arm = i32(b, o);
  data.muxType = null;
  data.muxValue = null;
  if (arm !== SCV_MAP) {
    if (arm !== SCV_I128) return false;
    data.amount = i128At(b, o + 4);
    return true;
  }
  if (i32(b, o + 4) === 0) return false; // SCV_MAP without a map
  const n = count(b, o + 8);
  let p = o + 12;
  let amount: string | null = null;
  for (let i = 0; i < n; i++) {
    const key = p;
    const val = skip(T_SC_VAL, b, key);
    p = skip(T_SC_VAL, b, val);
    if (i32(b, key) !== SCV_SYMBOL) return false;
    if (bytesEqual(b, key + 4, SYM_AMOUNT)) {
      if (i32(b, val) !== SCV_I128) return false;
      amount = i128At(b, val + 4);
    } else if (bytesEqual(b, key + 4, SYM_TO_MUXED_ID)) {
      switch (i32(b, val)) {
        case SCV_U64:
          data.muxType = "id";
          data.muxValue = u64String(b, val + 4);
          break;
        case SCV_BYTES: {
          const len = count(b, val + 4);
          data.muxType = "hash";
          data.muxValue = toHex(b.subarray(val + 8, val + 8 + len));
          break;
        }
        case SCV_STRING:
          data.muxType = "text";
          data.muxValue = decodeXdrString(b, val + 8, count(b, val + 4));
          break;
        case SCV_VOID:
          data.muxType = null;
          data.muxValue = null;
          break;
        default:
          return false;
      }
    }
  }
  if (amount === null) return false;
  data.amount = amount;
  return true;
}

/** Index into {@link TOKEN_TYPES} of a token event's first topic, or -1. */
function tokenKind(b: Uint8Array, topic: number): number {
  if (i32(b, topic) !== SCV_SYMBOL) return -1;
  for (let k = 0; k < TOKEN_SYMBOLS.length; k++) {
    if (bytesEqual(b, topic + 4, TOKEN_SYMBOLS[k])) return k;
  }
  return -1;
}

// The asset columns of each asset `sacAsset` returns (the same object for the same asset), made
// once rather than per row.
const assetColumnsOf = new Map<Asset, AssetColumns>();

function columnsOf(asset: Asset | null): AssetColumns {
  if (asset === null) return assetColumns(null);
  let c = assetColumnsOf.get(asset);
  if (c === undefined) {
    c = assetColumns(asset);
    if (assetColumnsOf.size > 100_000) assetColumnsOf.clear();
    assetColumnsOf.set(asset, c);
  }
  return c;
}

/** Builds the rows of one ledger (event ids, shared per-transaction values). */
class RowBuilder {
  readonly #ledger: number;
  readonly #closedAt: number;
  #txHash = "";
  #txIndex = 0;
  #op = -1;
  #prefix = "";
  #count = 0;

  constructor(ledger: number, closedAt: number) {
    this.#ledger = ledger;
    this.#closedAt = closedAt;
  }

  /** Starts transaction `index` (1-based). */
  tx(index: number, hash: string): void {
    this.#txIndex = index;
    this.#txHash = hash;
    this.#op = -1;
  }

  /** The next event id of operation `op` (0 for fees) of the current transaction. */
  #id(op: number): string {
    if (op !== this.#op) {
      // A RangeError for an index outside the TOID: the general path then throws it.
      this.#prefix = eventIdPrefix(this.#ledger, this.#txIndex, op);
      this.#op = op;
      this.#count = 0;
    }
    return this.#prefix + eventIndexDigits(this.#count++);
  }

  /** A row of the current transaction (`op` 0: a fee event). */
  row(
    op: number,
    type: TtpEvent["event_type"],
    from: string | null,
    to: string | null,
    asset: Asset | null,
    amount: string,
    contract: string,
  ): TtpEvent {
    const cols = columnsOf(asset);
    return {
      event_id: this.#id(op),
      ledger_sequence: this.#ledger,
      closed_at: this.#closedAt,
      tx_hash: this.#txHash,
      transaction_index: this.#txIndex,
      operation_index: op === 0 ? null : op,
      event_type: type,
      from_address: from,
      to_address: to,
      asset: cols.asset,
      asset_code: cols.code,
      asset_issuer: cols.issuer,
      amount,
      contract_address: contract,
      to_muxed_type: op === 0 ? null : data.muxType,
      to_muxed_value: op === 0 ? null : data.muxValue,
      schema_version: TTP_EVENT_SCHEMA_VERSION,
    };
  }
}

/** Reads a token event (v4 rules of `parseTokenEvent`) from {@link ev}; null if it is none. */
function tokenEventRow(
  b: Uint8Array,
  rows: RowBuilder,
  op: number,
  passphrase: string,
): TtpEvent | null {
  const n = ev.topicCount;
  if (ev.type !== CONTRACT_EVENT_TYPE_CONTRACT || ev.contractId < 0 || n < 2) return null;
  const kind = tokenKind(b, ev.topics[0]);
  if (kind < 0 || !readV4Data(b, ev.data)) return null;
  let from: string | null = null;
  let to: string | null = null;
  switch (kind) {
    case TRANSFER:
      if (n < 3) return null;
      from = addressAt(b, ev.topics[1]);
      to = addressAt(b, ev.topics[2]);
      if (from === null || to === null) return null;
      break;
    case MINT:
      // A third topic must be the SAC asset string; an address there is a legacy admin topic.
      if (n >= 3 && i32(b, ev.topics[2]) !== SCV_STRING) return null;
      to = addressAt(b, ev.topics[1]);
      if (to === null) return null;
      break;
    case CLAWBACK:
      if (n >= 3 && i32(b, ev.topics[2]) !== SCV_STRING) return null;
      from = addressAt(b, ev.topics[1]);
      if (from === null) return null;
      break;
    case BURN:
      from = addressAt(b, ev.topics[1]);
      if (from === null) return null;
      break;
  }
  const type = TOKEN_TYPES[kind];
  const emitter = encodeStrkeyAt("contract", b, ev.contractId);
  let asset: Asset | null = null;
  if (n === SAC_TOPICS[4][type]) {
    const last = ev.topics[n - 1];
    const len = i32(b, last) === SCV_STRING ? count(b, last + 4) : 0;
    if (len > 0) asset = emitterAsset(b, last + 8, len, passphrase, emitter);
  }
  return rows.row(op, type, from, to, asset, data.amount, emitter);
}

/** The last asset string seen per emitter, with what `sacAsset` said of it. */
const emitterAssets = new Map<string, { text: Uint8Array; asset: Asset | null }>();
let emitterAssetsPassphrase = "";

/**
 * `sacAsset` of the string of `len` bytes at `o`, remembered per emitter: a contract's token events
 * repeat the same asset string, so most events compare bytes instead of decoding a string.
 */
function emitterAsset(
  b: Uint8Array,
  o: number,
  len: number,
  passphrase: string,
  emitter: string,
): Asset | null {
  if (passphrase !== emitterAssetsPassphrase) {
    emitterAssets.clear();
    emitterAssetsPassphrase = passphrase;
  }
  const known = emitterAssets.get(emitter);
  if (known !== undefined && known.text.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (known.text[i] !== b[o + i]) {
        same = false;
        break;
      }
    }
    if (same) return known.asset;
  }
  const asset = sacAsset(decodeXdrString(b, o, len), passphrase, emitter);
  if (emitterAssets.size > 100_000) emitterAssets.clear();
  emitterAssets.set(emitter, { text: b.slice(o, o + len), asset });
  return asset;
}

/** Reads the fee events (rules of `parseFeeEvents`) of the `TransactionEvent`s at `o`. */
function readFeeEvents(
  b: Uint8Array,
  o: number,
  xlmSac: string,
  fees: { from: string; amount: string }[],
): number {
  const n = count(b, o);
  let p = o + 4;
  for (let i = 0; i < n; i++) {
    const stage = i32(b, p);
    if (stage < 0 || stage > 2) throw new NotScannable(`TransactionEventStage ${stage}`);
    p = readContractEvent(b, p + 4);
    if (ev.type !== CONTRACT_EVENT_TYPE_CONTRACT || ev.contractId < 0) {
      throw new NotScannable("transaction-level event is not a contract event");
    }
    const first = ev.topics[0];
    if (ev.topicCount === 0 || i32(b, first) !== SCV_SYMBOL || !bytesEqual(b, first + 4, SYM_FEE)) {
      continue;
    }
    if (ev.topicCount !== 2 || i32(b, ev.data) !== SCV_I128) {
      throw new NotScannable("malformed fee event");
    }
    const from = addressAt(b, ev.topics[1]);
    if (from === null || encodeStrkeyAt("contract", b, ev.contractId) !== xlmSac) {
      throw new NotScannable("malformed fee event");
    }
    fees.push({ from, amount: i128At(b, ev.data + 4) });
  }
  return p;
}

interface HeaderShape {
  header: { ledgerVersion: number; ledgerSeq: number; scpValue: { closeTime: bigint } };
}

/**
 * Generates the code of the XDR walkers the scan runs (about 20 ms each, otherwise paid on the
 * first ledger), for a worker to call when it starts.
 */
export function prepareScan(): void {
  const voidScVal = new Uint8Array([0, 0, 0, SCV_VOID]);
  skip(T_SC_VAL, voidScVal, 0);
  check(T_SC_VAL, voidScVal, 0);
}

/**
 * The rows of a ledger read entirely in unified mode, or `null` when the general path
 * (`extractLedger`) must read it: derived mode, a transaction in derived mode under `auto`, meta
 * other than v4, or anything malformed or unexpected (the general path then names the error).
 */
export function scanUnifiedLedger(lcm: Uint8Array, opts: ScanOptions): ScannedLedger | null {
  if (opts.mode === "derived") return null;
  try {
    return scan(lcm, opts.networkPassphrase);
  } catch {
    return null;
  }
}

/** Counts the envelopes of the `TransactionEnvelope<>` at `o`; returns its end. */
function envelopeRun(b: Uint8Array, o: number, found: { count: number; first: number }): number {
  const n = count(b, o);
  let p = o + 4;
  for (let i = 0; i < n; i++) {
    if (found.first < 0) found.first = p;
    p = skip(T_ENVELOPE, b, p);
    found.count++;
  }
  return p;
}

function scan(b: Uint8Array, passphrase: string): ScannedLedger {
  const version = i32(b, 0);
  if (version < 0 || version > 2) throw new NotScannable(`LedgerCloseMeta arm ${version}`);
  let p = version === 0 ? 4 : skip(T_LCM_EXT, b, 4);
  const { value: { header }, end } = decode<HeaderShape>(T_HEADER, b, p);
  p = end;
  const ledger: LedgerInfo = {
    sequence: header.ledgerSeq,
    protocolVersion: header.ledgerVersion,
    closedAtMs: Number(header.scpValue.closeTime) * 1000,
    passphrase,
  };
  // Transaction set: count the envelopes and find the first (apply order is the results').
  const envelopes = { count: 0, first: -1 };
  if (version === 0) p = envelopeRun(b, p + 32, envelopes);
  else {
    expectArm(b, p, 1, "GeneralizedTransactionSet");
    const phases = count(b, p + 36);
    p += 40;
    for (let i = 0; i < phases; i++) {
      const arm = i32(b, p);
      p += 4;
      if (arm === 0) {
        const components = count(b, p);
        p += 4;
        for (let c = 0; c < components; c++) {
          expectArm(b, p, 0, "TxSetComponent");
          p = envelopeRun(b, skip(T_BASE_FEE, b, p + 4), envelopes);
        }
      } else if (arm === 1) {
        p = skip(T_BASE_FEE, b, p);
        const stages = count(b, p);
        p += 4;
        for (let s = 0; s < stages; s++) {
          const clusters = count(b, p);
          p += 4;
          for (let c = 0; c < clusters; c++) p = envelopeRun(b, p, envelopes);
        }
      } else throw new NotScannable(`TransactionPhase arm ${arm}`);
    }
  }
  const txCount = count(b, p);
  p += 4;
  if (txCount !== envelopes.count) throw new NotScannable("envelope and result counts differ");

  const rows = new RowBuilder(ledger.sequence, ledger.closedAtMs);
  const xlmSac = sacContractAddress(NATIVE, passphrase);
  const feeRows: TtpEvent[] = [];
  const opRows: TtpEvent[] = [];
  const refundRows: TtpEvent[] = [];
  const perTxOrder = ledger.protocolVersion < 23;
  const hashes: string[] = [];
  const fees: { from: string; amount: string }[] = [];
  for (let t = 1; t <= txCount; t++) {
    if (version === 2) {
      expectArm(b, p, 0, "TransactionResultMetaV1.ext");
      p += 4;
    }
    if (p + 32 > b.length) throw new NotScannable("truncated transaction hash");
    const hash = toHex(b.subarray(p, p + 32));
    hashes.push(hash);
    rows.tx(t, hash);
    const resultAt = p + 32;
    p = skip(T_RESULT, b, resultAt);
    const successful = transactionSucceeded(b, resultAt);
    p = skip(T_CHANGES, b, p); // feeProcessing
    expectArm(b, p, 4, "TransactionMeta");
    expectArm(b, p + 4, 0, "TransactionMetaV4.ext");
    p = skip(T_CHANGES, b, p + 8); // txChangesBefore
    const ops = count(b, p);
    p += 4;
    for (let op = 1; op <= ops; op++) {
      expectArm(b, p, 0, "OperationMetaV2.ext");
      p = skip(T_CHANGES, b, p + 4);
      const events = count(b, p);
      p += 4;
      for (let e = 0; e < events; e++) {
        if (!successful) {
          p = skip(T_CONTRACT_EVENT, b, p);
          continue;
        }
        p = readContractEvent(b, p);
        const row = tokenEventRow(b, rows, op, passphrase);
        if (row !== null) opRows.push(row);
      }
    }
    p = skip(T_CHANGES, b, p); // txChangesAfter
    p = skip(T_SOROBAN_META, b, p);
    fees.length = 0;
    p = readFeeEvents(b, p, xlmSac, fees);
    if (fees.length === 0 || fees.length > 2) {
      throw new NotScannable(`${fees.length} fee events`);
    }
    p = skip(T_DIAGNOSTICS, b, p);
    if (version === 2) p = skip(T_CHANGES, b, p); // postTxApplyFeeProcessing
    feeRows.push(rows.row(0, "fee", fees[0].from, null, NATIVE, fees[0].amount, xlmSac));
    if (fees.length === 2) {
      const refund = rows.row(0, "fee", fees[1].from, null, NATIVE, fees[1].amount, xlmSac);
      (perTxOrder ? opRows : refundRows).push(refund);
    }
  }
  for (const type of TAILS[version]) p = skip(type, b, p);
  if (p !== b.length) throw new NotScannable(`trailing bytes after ${p}`);
  // As the general path: one envelope hashed, so that a wrong passphrase is not scanned.
  if (envelopes.first >= 0 && !hashes.includes(envelopeHashAt(b, envelopes.first, passphrase))) {
    throw new NotScannable("the first envelope's hash matches no result");
  }
  const events = feeRows;
  for (const r of opRows) events.push(r);
  for (const r of refundRows) events.push(r);
  return { ledger, events };
}
