/**
 * Reads a `LedgerCloseMeta` in place into joined transactions ({@link LedgerTx}): the ledger
 * header, every envelope of the (classic or generalized) transaction set hashed with the
 * network passphrase, and each `txProcessing` entry joined to its envelope by hash.
 *
 * Only what TTP needs is materialised, in one pass over the bytes: envelopes, transaction
 * results, ledger-entry changes and contract events stay lazy spans (decoded where a rule reads
 * them), and what TTP never reads (SCP messages, upgrades, contract data/code, diagnostic
 * events, signatures, Soroban resources) is skipped.
 *
 * @module
 */
import { decode, decodeSpan, fieldOffset, skip, unionArm, type XdrSpan } from "../xdr/mod.ts";
import { toHex } from "../stellar/hash.ts";
import { transactionHash } from "../stellar/tx_hash.ts";
import { TtpDataError, TtpExtractionError } from "./errors.ts";
import type { LedgerInfo, LedgerTx } from "./ledger_tx.ts";
import type {
  FeeBumpTransactionXdr,
  OperationResultXdr,
  TransactionResultMetaXdr,
  TransactionV0Xdr,
  TransactionXdr,
  XdrUnion,
} from "./xdr_shapes.ts";

/**
 * Types left undecoded in the single pass over a ledger: envelopes (hashed from their bytes,
 * decoded on first use), ledger-entry changes (decoded on demand by entry type), transaction
 * results (read in place, decoded on first use), and everything TTP never reads.
 */
const LEDGER_LAZY: ReadonlySet<string> = new Set([
  "TransactionEnvelope",
  "UpgradeEntryMeta",
  "SCPHistoryEntry",
  "LedgerKey",
  "LedgerEntry",
  "LedgerEntryChange",
  "TransactionResult",
  "ContractEvent",
  // v4 moved Soroban events to the operations; what is left (fees, return value) is unused.
  "SorobanTransactionMetaV2",
  "ContractDataEntry",
  "ContractCodeEntry",
  "ConfigSettingEntry",
  "TTLEntry",
  "LedgerKeyContractData",
  "LedgerKeyContractCode",
  "DiagnosticEvent",
  "OfferEntry",
  "DataEntry",
  // Decoded per transaction when it is read, and dropped after (see releaseTransaction): the
  // decoded metas of a whole ledger would otherwise stay alive to the end of its extraction,
  // and every young-generation GC on the way would copy them.
  "TransactionMeta",
]);

const ENVELOPE_LAZY: ReadonlySet<string> = new Set([
  "DecoratedSignature",
  "SorobanTransactionData",
  "InvokeHostFunctionOp",
  "Preconditions",
  "ManageDataOp",
  "SetOptionsOp",
  "ChangeTrustOp",
  "ManageSellOfferOp",
  "ManageBuyOfferOp",
  "CreatePassiveSellOfferOp",
  "RevokeSponsorshipOp",
  "ExtendFootprintTTLOp",
  "RestoreFootprintOp",
]);

const TX_TYPES: Record<number, string> = {
  0: "TransactionV0",
  2: "Transaction",
  5: "FeeBumpTransaction",
};

interface LedgerHeaderXdr {
  ledgerVersion: number;
  ledgerSeq: number;
  scpValue: { closeTime: bigint };
}

interface LcmBody {
  ledgerHeader: { header: LedgerHeaderXdr };
  txSet: unknown;
  txProcessing: TransactionResultMetaSpans[];
}

/** A decoded ledger: its facts and its transactions in apply order. */
export interface ReadLedger {
  /** Ledger-level facts. */
  info: LedgerInfo;
  /** Transactions in apply order. */
  transactions: LedgerTx[];
}

function envelopeSpans(lcmVersion: number, txSet: unknown): XdrSpan[] {
  if (lcmVersion === 0) return (txSet as { txs: XdrSpan[] }).txs;
  const set = txSet as XdrUnion<number, { phases: XdrUnion<number, unknown>[] }>;
  if (set.arm !== 1) throw new TtpDataError(`unknown GeneralizedTransactionSet arm ${set.arm}`);
  const out: XdrSpan[] = [];
  for (const phase of set.value.phases) {
    if (phase.arm === 0) {
      for (const comp of phase.value as XdrUnion<string, { txs: XdrSpan[] }>[]) {
        out.push(...comp.value.txs);
      }
    } else if (phase.arm === 1) {
      for (const stage of (phase.value as { executionStages: XdrSpan[][][] }).executionStages) {
        for (const cluster of stage) out.push(...cluster);
      }
    } else {
      throw new TtpDataError(`unknown TransactionPhase arm ${phase.arm}`);
    }
  }
  return out;
}

/** Hash (hex) of an envelope span: SHA-256 of the signature payload of its `tx`. */
export function envelopeHash(span: XdrSpan, passphrase: string): string {
  return envelopeHashAt(span.bytes, span.offset, passphrase);
}

/** Hash (hex) of the `TransactionEnvelope` at `offset` in `bytes` (see {@linkcode envelopeHash}). */
export function envelopeHashAt(bytes: Uint8Array, offset: number, passphrase: string): string {
  const arm = unionArm("TransactionEnvelope", bytes, offset);
  const txType = TX_TYPES[arm.discriminant];
  if (!txType) throw new TtpDataError(`unknown envelope type ${arm.discriminant}`);
  const start = offset + 4;
  const end = skip(txType, bytes, start);
  return toHex(transactionHash(passphrase, arm.discriminant, bytes.subarray(start, end)));
}

interface EnvelopeView {
  source: LedgerTx["source"];
  feeAccount: LedgerTx["feeAccount"];
  tx: TransactionXdr | TransactionV0Xdr;
}

function envelopeView(span: XdrSpan): EnvelopeView {
  const env = decodeSpan<XdrUnion<string, { tx: unknown }>>(span, { lazy: ENVELOPE_LAZY });
  switch (env.arm) {
    case "ENVELOPE_TYPE_TX_V0": {
      const tx = env.value.tx as TransactionV0Xdr;
      const source = { arm: "KEY_TYPE_ED25519", value: tx.sourceAccountEd25519 };
      return { source, feeAccount: source, tx };
    }
    case "ENVELOPE_TYPE_TX": {
      const tx = env.value.tx as TransactionXdr;
      return { source: tx.sourceAccount, feeAccount: tx.sourceAccount, tx };
    }
    case "ENVELOPE_TYPE_TX_FEE_BUMP": {
      const fb = env.value.tx as FeeBumpTransactionXdr;
      const inner = fb.innerTx.value.tx;
      return { source: inner.sourceAccount, feeAccount: fb.feeSource, tx: inner };
    }
    default:
      throw new TtpDataError(`unknown envelope type ${String(env.arm)}`);
  }
}

function resultFacts(
  result: TransactionResultMetaXdr["result"]["result"],
): { successful: boolean; operationResults: OperationResultXdr[] } {
  const r = result.result;
  switch (r.arm) {
    case "txSUCCESS":
    case "txFAILED":
      return {
        successful: r.arm === "txSUCCESS",
        operationResults: r.value as OperationResultXdr[],
      };
    case "txFEE_BUMP_INNER_SUCCESS":
    case "txFEE_BUMP_INNER_FAILED": {
      const inner = (r.value as { result: { result: XdrUnion<string, unknown> } }).result.result;
      const ops = inner.arm === "txSUCCESS" || inner.arm === "txFAILED"
        ? inner.value as OperationResultXdr[]
        : [];
      return { successful: inner.arm === "txSUCCESS", operationResults: ops };
    }
    default:
      return { successful: false, operationResults: [] };
  }
}

/** `TransactionResultMeta(V1)` decoded with its `TransactionResult` left as a span. */
interface TransactionResultMetaSpans extends Omit<TransactionResultMetaXdr, "result"> {
  result: { transactionHash: Uint8Array; result: XdrSpan };
}

function int32At(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/**
 * Whether the `TransactionResult` at `offset` (already checked, e.g. skipped) is a success: code
 * `txSUCCESS`, or a fee bump whose inner result is `txSUCCESS`.
 */
export function transactionSucceeded(bytes: Uint8Array, offset: number): boolean {
  // feeCharged (int64), then the result code; fee bumps nest the inner result after the inner
  // hash (32) and the inner feeCharged (8).
  const code = int32At(bytes, offset + 8);
  return code === 1 || code === -13 ? int32At(bytes, offset + 52) === 0 && code === 1 : code === 0;
}

/**
 * A transaction joined with its result and meta. The envelope and the operation results are
 * decoded on first use (unified mode needs neither); success and fee are read in place.
 */
class JoinedTx implements LedgerTx {
  readonly ledger: LedgerInfo;
  readonly index: number;
  readonly hash: string;
  readonly successful: boolean;
  readonly feeCharged: bigint;
  readonly feeProcessing: LedgerTx["feeProcessing"];
  #metaSpan: XdrSpan;
  #meta: LedgerTx["meta"] | undefined;
  readonly postTxApplyFeeProcessing: LedgerTx["postTxApplyFeeProcessing"];
  #envelopeSpan: () => XdrSpan;
  #resultSpan: XdrSpan;
  #env: EnvelopeView | undefined;
  #opResults: OperationResultXdr[] | undefined;

  constructor(
    info: LedgerInfo,
    index: number,
    hash: string,
    envelope: () => XdrSpan,
    trm: TransactionResultMetaSpans,
  ) {
    this.ledger = info;
    this.index = index;
    this.hash = hash;
    this.#envelopeSpan = envelope;
    this.#resultSpan = trm.result.result;
    this.feeProcessing = trm.feeProcessing;
    this.#metaSpan = trm.txApplyProcessing as unknown as XdrSpan;
    this.postTxApplyFeeProcessing = trm.postTxApplyFeeProcessing ?? [];
    const b = this.#resultSpan.bytes;
    const o = this.#resultSpan.offset;
    this.feeCharged = new DataView(b.buffer, b.byteOffset).getBigInt64(o);
    this.successful = transactionSucceeded(b, o);
  }

  get meta(): LedgerTx["meta"] {
    return this.#meta ??= decodeSpan<LedgerTx["meta"]>(this.#metaSpan, { lazy: LEDGER_LAZY });
  }

  /** Drops what was decoded on demand (decoded again if read again). */
  release(): void {
    this.#meta = undefined;
    this.#env = undefined;
    this.#opResults = undefined;
  }

  #envelope(): EnvelopeView {
    return this.#env ??= envelopeView(this.#envelopeSpan());
  }

  get source(): LedgerTx["source"] {
    return this.#envelope().source;
  }
  get feeAccount(): LedgerTx["feeAccount"] {
    return this.#envelope().feeAccount;
  }
  get seqNum(): bigint {
    return this.#envelope().tx.seqNum;
  }
  get memo(): LedgerTx["memo"] {
    return this.#envelope().tx.memo;
  }
  get operations(): LedgerTx["operations"] {
    return this.#envelope().tx.operations;
  }
  get isSoroban(): boolean {
    return this.#envelope().tx.ext.arm === 1;
  }
  get operationResults(): OperationResultXdr[] {
    return this.#opResults ??= resultFacts(
      decodeSpan<TransactionResultMetaXdr["result"]["result"]>(this.#resultSpan),
    ).operationResults;
  }
}

/**
 * Lets go of what `tx` decoded on demand (its meta, envelope and operation results); reading them
 * again decodes them again. For transactions from {@linkcode readLedger}; others are left alone.
 */
export function releaseTransaction(tx: LedgerTx): void {
  if (tx instanceof JoinedTx) tx.release();
}

/**
 * Reads a ledger: header facts and its transactions in apply order, joined to their envelopes.
 * Throws a {@link TtpExtractionError} naming the ledger (and transaction, when known) on
 * truncated or corrupt XDR, unknown arms, or a result without an envelope.
 */
export function readLedger(lcm: Uint8Array, passphrase: string): ReadLedger {
  let ledgerSeq: number | undefined;
  let body: LcmBody;
  let lcmVersion: number;
  try {
    const top = decode<XdrUnion<number, LcmBody>>("LedgerCloseMeta", lcm, 0, { lazy: LEDGER_LAZY });
    if (top.end !== lcm.length) {
      throw new TtpDataError(
        `LedgerCloseMeta ends at byte ${top.end} of ${lcm.length}: trailing bytes`,
      );
    }
    lcmVersion = top.value.arm;
    body = top.value.value;
    ledgerSeq = body.ledgerHeader.header.ledgerSeq;
  } catch (e) {
    throw new TtpExtractionError(
      { ...locateFailure(lcm), ledger: ledgerSeq ?? peekLedgerSeq(lcm) },
      e,
    );
  }
  const header = body.ledgerHeader.header;
  const info: LedgerInfo = {
    sequence: header.ledgerSeq,
    protocolVersion: header.ledgerVersion,
    closedAtMs: Number(header.scpValue.closeTime) * 1000,
    passphrase,
  };
  let spans: XdrSpan[];
  try {
    spans = envelopeSpans(lcmVersion, body.txSet);
  } catch (e) {
    throw new TtpExtractionError({ ledger: info.sequence }, e);
  }
  if (spans.length !== body.txProcessing.length) {
    throw new TtpExtractionError(
      { ledger: info.sequence },
      new TtpDataError(
        `transaction set has ${spans.length} envelopes but txProcessing has ${body.txProcessing.length} results`,
      ),
    );
  }
  // Results are joined to envelopes by hash. Hashing every envelope costs a fifth of the
  // extraction, and unified mode reads no envelope: the join is made on first use. One envelope is
  // hashed now, so that a wrong passphrase (which also gives wrong SAC addresses) still fails
  // here; if it matches no result, the whole join is made now and names the culprit.
  let byHash: Map<string, XdrSpan> | undefined;
  const join = (): Map<string, XdrSpan> => {
    if (byHash) return byHash;
    const map = new Map<string, XdrSpan>();
    try {
      for (const span of spans) map.set(envelopeHash(span, passphrase), span);
    } catch (e) {
      throw new TtpExtractionError({ ledger: info.sequence }, e);
    }
    if (map.size !== spans.length) {
      throw new TtpExtractionError(
        { ledger: info.sequence },
        new TtpDataError(
          `transaction set has ${map.size} distinct envelopes but txProcessing has ${body.txProcessing.length} results`,
        ),
      );
    }
    return byHash = map;
  };
  const hashes = body.txProcessing.map((trm) => toHex(trm.result.transactionHash));
  if (spans.length > 0) {
    let first: string;
    try {
      first = envelopeHash(spans[0], passphrase);
    } catch (e) {
      throw new TtpExtractionError({ ledger: info.sequence }, e);
    }
    if (!hashes.includes(first)) join();
  }
  const transactions: LedgerTx[] = [];
  for (let i = 0; i < body.txProcessing.length; i++) {
    const hash = hashes[i];
    const loc = { ledger: info.sequence, txIndex: i + 1, txHash: hash };
    const envelope = (): XdrSpan => {
      const span = join().get(hash);
      if (!span) {
        throw new TtpExtractionError(
          loc,
          new TtpDataError("no envelope in the transaction set has this hash"),
        );
      }
      return span;
    };
    // When the join is made already, every result must find its envelope now.
    if (byHash) envelope();
    try {
      transactions.push(new JoinedTx(info, i + 1, hash, envelope, body.txProcessing[i]));
    } catch (e) {
      throw new TtpExtractionError(loc, e);
    }
  }
  return { info, transactions };
}

/** Best-effort ledger sequence of a (possibly corrupt) LedgerCloseMeta, for error messages. */
function peekLedgerSeq(lcm: Uint8Array): number | undefined {
  try {
    const arm = unionArm("LedgerCloseMeta", lcm, 0);
    const bodyType =
      ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"][arm.discriminant];
    if (!bodyType) return undefined;
    const at = fieldOffset(bodyType, "ledgerHeader", lcm, 4);
    return decode<{ header: LedgerHeaderXdr }>("LedgerHeaderHistoryEntry", lcm, at).value.header
      .ledgerSeq;
  } catch {
    return undefined;
  }
}

/**
 * Best-effort location of a decoding failure: walks `txProcessing` element by element and
 * returns the 1-based index and recorded hash of the first element that does not decode.
 */
function locateFailure(lcm: Uint8Array): { txIndex?: number; txHash?: string } {
  try {
    const arm = unionArm("LedgerCloseMeta", lcm, 0);
    const bodyType =
      ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"][arm.discriminant];
    if (!bodyType) return {};
    const elemType = arm.discriminant === 2 ? "TransactionResultMetaV1" : "TransactionResultMeta";
    let at = fieldOffset(bodyType, "txProcessing", lcm, 4);
    const count = new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength).getUint32(at);
    at += 4;
    for (let i = 0; i < count; i++) {
      const hashAt = elemType === "TransactionResultMetaV1" ? at + 4 : at;
      try {
        at = skip(elemType, lcm, at);
      } catch {
        const txHash = hashAt + 32 <= lcm.length
          ? toHex(lcm.subarray(hashAt, hashAt + 32))
          : undefined;
        return { txIndex: i + 1, txHash };
      }
    }
  } catch {
    // The failure is before txProcessing (header or transaction set).
  }
  return {};
}
