/**
 * SEP-41 / Stellar Asset Contract token events and CAP-67 fee events parsed from contract
 * events, with the shapes of transaction meta v3 and v4.
 *
 * @module
 */
import { type Asset, parseAssetString } from "../stellar/asset.ts";
import { sacContractAddress } from "../stellar/contract_id.ts";
import { toHex } from "../stellar/hash.ts";
import { NATIVE } from "../stellar/asset.ts";
import { contractAddress, scAddressString } from "./addresses.ts";
import { TtpDataError } from "./errors.ts";
import { movementEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { MuxedInfo, TokenEvent, TtpEventType } from "./token_event.ts";
import type { ContractEventXdr, ScValXdr, TransactionEventXdr } from "./xdr_shapes.ts";

/** Decimal string of an `Int128Parts` (`hi` signed, `lo` unsigned). */
export function i128String(parts: { hi: bigint; lo: bigint }): string {
  if (parts.hi === 0n) return parts.lo.toString();
  return ((parts.hi << 64n) + parts.lo).toString();
}

function addressOf(v: ScValXdr | undefined): string | null {
  if (!v || v.arm !== "SCV_ADDRESS") return null;
  return scAddressString(v.value as ScValXdr);
}

function amountOf(v: ScValXdr): string | null {
  return v.arm === "SCV_I128" ? i128String(v.value as { hi: bigint; lo: bigint }) : null;
}

interface V4Data {
  amount: string;
  toMuxed: MuxedInfo | null;
}

/**
 * Data of a v4 token event: an i128, or a map with a required i128 `amount` and an optional
 * `to_muxed_id` (u64 → id, bytes → hash, string → text, void → none). Null if malformed.
 */
function v4Data(data: ScValXdr): V4Data | null {
  if (data.arm !== "SCV_MAP") {
    const amount = amountOf(data);
    return amount === null ? null : { amount, toMuxed: null };
  }
  const entries = data.value as { key: ScValXdr; val: ScValXdr }[] | null;
  if (!entries) return null;
  let amount: string | null = null;
  let toMuxed: MuxedInfo | null = null;
  for (const { key, val } of entries) {
    if (key.arm !== "SCV_SYMBOL") return null;
    if (key.value === "amount") {
      amount = amountOf(val);
      if (amount === null) return null;
    } else if (key.value === "to_muxed_id") {
      switch (val.arm) {
        case "SCV_U64":
          toMuxed = { type: "id", value: String(val.value as bigint) };
          break;
        case "SCV_BYTES":
          toMuxed = { type: "hash", value: toHex(val.value as Uint8Array) };
          break;
        case "SCV_STRING":
          toMuxed = { type: "text", value: val.value as string };
          break;
        case "SCV_VOID":
          toMuxed = null;
          break;
        default:
          return null;
      }
    }
  }
  return amount === null ? null : { amount, toMuxed };
}

const sacCache = new Map<string, Map<string, { asset: Asset; address: string } | null>>();

/**
 * The asset named by a SEP-11 string when its SAC (on the network of `passphrase`) is
 * `emitter`, else null. Memoised: the same few assets recur in every ledger (and the same
 * `Asset` object comes back for the same text).
 */
export function sacAsset(text: string, passphrase: string, emitter: string): Asset | null {
  let byText = sacCache.get(passphrase);
  if (byText === undefined) {
    byText = new Map();
    sacCache.set(passphrase, byText);
  }
  let hit = byText.get(text);
  if (hit === undefined) {
    const asset = parseAssetString(text);
    hit = asset === null ? null : { asset, address: sacContractAddress(asset, passphrase) };
    if (byText.size > 100_000) byText.clear();
    byText.set(text, hit);
  }
  return hit !== null && hit.address === emitter ? hit.asset : null;
}

/**
 * Topic count of a SAC token event by meta version and name: a token event with this many
 * topics whose last one is a SEP-11 string naming the emitter's asset is a SAC event.
 */
export const SAC_TOPICS: Readonly<Record<3 | 4, Readonly<Record<string, number>>>> = {
  3: { transfer: 4, mint: 4, clawback: 4, burn: 3 },
  4: { transfer: 4, mint: 3, clawback: 3, burn: 3 },
};

/**
 * Parses one contract event as a SEP-41 token event (`transfer`, `mint`, `burn`, `clawback`)
 * in the shape of `metaVersion` (3: admin topics, plain i128 data; 4: CAP-67 topics, i128 or
 * map data). Returns null for anything that is not a well-formed token event. SAC events (the
 * last topic is a SEP-11 asset whose SAC id is the emitter) get their asset; in v3 a SAC
 * transfer goes through the issuer rule (mint/burn), as the SAC emitted transfers for those.
 */
export function parseTokenEvent(
  tx: LedgerTx,
  opIndex: number,
  ev: ContractEventXdr,
  metaVersion: number,
): TokenEvent | null {
  if (ev.type !== "CONTRACT" || ev.contractId === null || ev.body.arm !== 0) return null;
  if (metaVersion !== 3 && metaVersion !== 4) return null;
  const { topics, data } = ev.body.value;
  if (topics.length < 2 || topics[0].arm !== "SCV_SYMBOL") return null;
  const fn = topics[0].value as string;
  let type: TtpEventType;
  let from: string | null = null;
  let to: string | null = null;
  let amount: string | null;
  let toMuxed: MuxedInfo | null = null;
  if (metaVersion === 3) {
    amount = amountOf(data);
    if (amount === null) return null;
    switch (fn) {
      case "transfer":
        if (topics.length < 3) return null;
        from = addressOf(topics[1]);
        to = addressOf(topics[2]);
        if (from === null || to === null) return null;
        type = "transfer";
        break;
      case "mint":
        if (topics.length < 3 || addressOf(topics[1]) === null) return null;
        to = addressOf(topics[2]);
        if (to === null) return null;
        type = "mint";
        break;
      case "clawback":
        if (topics.length < 3 || addressOf(topics[1]) === null) return null;
        from = addressOf(topics[2]);
        if (from === null) return null;
        type = "clawback";
        break;
      case "burn":
        from = addressOf(topics[1]);
        if (from === null) return null;
        type = "burn";
        break;
      default:
        return null;
    }
  } else {
    const parsed = v4Data(data);
    if (parsed === null) return null;
    amount = parsed.amount;
    toMuxed = parsed.toMuxed;
    switch (fn) {
      case "transfer":
        if (topics.length < 3) return null;
        from = addressOf(topics[1]);
        to = addressOf(topics[2]);
        if (from === null || to === null) return null;
        type = "transfer";
        break;
      case "mint":
        // A third topic must be the SAC asset string; an address there is a legacy admin topic.
        if (topics.length >= 3 && topics[2].arm !== "SCV_STRING") return null;
        to = addressOf(topics[1]);
        if (to === null) return null;
        type = "mint";
        break;
      case "clawback":
        if (topics.length >= 3 && topics[2].arm !== "SCV_STRING") return null;
        from = addressOf(topics[1]);
        if (from === null) return null;
        type = "clawback";
        break;
      case "burn":
        from = addressOf(topics[1]);
        if (from === null) return null;
        type = "burn";
        break;
      default:
        return null;
    }
  }
  const emitter = contractAddress(ev.contractId);
  const event: TokenEvent = {
    type,
    from,
    to,
    asset: null,
    amount,
    contractAddress: emitter,
    operationIndex: opIndex + 1,
    toMuxed,
  };
  if (topics.length !== SAC_TOPICS[metaVersion][fn]) return event;
  const last = topics[topics.length - 1];
  if (last.arm !== "SCV_STRING" || last.value === "") return event;
  const asset = sacAsset(last.value as string, tx.ledger.passphrase, emitter);
  if (asset === null) return event;
  event.asset = asset;
  if (metaVersion === 3 && type === "transfer") {
    return movementEvent(tx, {
      asset,
      from: from!,
      to: to!,
      amount,
      opIndex,
      mux: { toMuxId: null },
    });
  }
  return event;
}

/**
 * Fee events of a v4 transaction (unified mode): transaction-level events whose first topic is
 * the symbol `fee`; each must have exactly two topics (`fee`, payer), an i128 amount, and come
 * from the XLM SAC. Returns them in emission order (charge, then refund); throws on a malformed
 * fee event. The result may be empty (no fee events emitted).
 */
export function parseFeeEvents(tx: LedgerTx, events: TransactionEventXdr[]): TokenEvent[] {
  const out: TokenEvent[] = [];
  const xlmSac = sacContractAddress(NATIVE, tx.ledger.passphrase);
  for (const { event } of events) {
    if (event.type !== "CONTRACT" || event.contractId === null || event.body.arm !== 0) {
      throw new TtpDataError("transaction-level event is not a contract event with a v0 body");
    }
    const { topics, data } = event.body.value;
    if (topics.length === 0 || topics[0].arm !== "SCV_SYMBOL" || topics[0].value !== "fee") {
      continue;
    }
    if (topics.length !== 2) {
      throw new TtpDataError(`fee event has ${topics.length} topics, expected 2`);
    }
    const amount = amountOf(data);
    if (amount === null) {
      throw new TtpDataError(`fee event data is ${String(data.arm)}, expected SCV_I128`);
    }
    const from = addressOf(topics[1]);
    if (from === null) throw new TtpDataError("fee event payer topic is not an address");
    const emitter = contractAddress(event.contractId);
    if (emitter !== xlmSac) {
      throw new TtpDataError(`fee event emitted by ${emitter}, expected the XLM SAC ${xlmSac}`);
    }
    out.push({
      type: "fee",
      from,
      to: null,
      asset: NATIVE,
      amount,
      contractAddress: emitter,
      operationIndex: null,
      toMuxed: null,
    });
  }
  return out;
}

/** Whether the v4 transaction events include at least one `fee` event. */
export function hasFeeEvents(events: TransactionEventXdr[]): boolean {
  for (const { event } of events) {
    if (event.body.arm !== 0) continue;
    const t = event.body.value.topics[0];
    if (t && t.arm === "SCV_SYMBOL" && t.value === "fee") return true;
  }
  return false;
}
