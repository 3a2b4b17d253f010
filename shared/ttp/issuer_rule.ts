/**
 * The issuer rule for classic movements: a movement from the asset issuer is a mint, to the
 * issuer a burn, between two non-issuers (or issuer to itself) a transfer.
 *
 * @module
 */
import { type Asset, NATIVE } from "../stellar/asset.ts";
import { sacContractAddress } from "../stellar/contract_id.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { destinationMuxedInfo } from "./muxed.ts";
import type { TokenEvent } from "./token_event.ts";

/** One classic movement of `amount` of `asset` from `from` to `to`. */
export interface Movement {
  /** The asset moved. */
  asset: Asset;
  /** Source strkey (`G`, `L`, `B` or `C`; muxed ids already stripped). */
  from: string;
  /** Destination strkey (`G`, `L`, `B` or `C`). */
  to: string;
  /** Raw amount. */
  amount: bigint | string;
  /** 0-based operation index. */
  opIndex: number;
  /**
   * Whether destination muxing applies, and the destination's muxed id if it was an `M…`
   * account; `false` when the operation never sets muxed info.
   */
  mux: false | { toMuxId: bigint | null };
}

/** Builds an event of `type` with the SAC contract address of `asset`. */
export function assetEvent(
  tx: LedgerTx,
  fields: Omit<TokenEvent, "contractAddress" | "toMuxed"> & {
    asset: Asset;
    toMuxed?: TokenEvent["toMuxed"];
  },
): TokenEvent {
  return {
    type: fields.type,
    from: fields.from,
    to: fields.to,
    asset: fields.asset,
    amount: fields.amount,
    contractAddress: sacContractAddress(fields.asset, tx.ledger.passphrase),
    operationIndex: fields.operationIndex,
    toMuxed: fields.toMuxed ?? null,
  };
}

function isAccount(address: string): boolean {
  return address.charCodeAt(0) === 71; // G
}

/** Applies the issuer rule (and muxing, where enabled) to one movement. */
export function movementEvent(tx: LedgerTx, m: Movement): TokenEvent {
  const issuer = m.asset.type === "credit" ? m.asset.issuer : null;
  const fromIssuer = issuer !== null && isAccount(m.from) && m.from === issuer;
  const toIssuer = issuer !== null && isAccount(m.to) && m.to === issuer;
  const amount = String(m.amount);
  const operationIndex = m.opIndex + 1;
  if (fromIssuer && toIssuer) {
    return assetEvent(tx, {
      type: "transfer",
      from: m.from,
      to: m.to,
      asset: m.asset,
      amount,
      operationIndex,
    });
  }
  if (toIssuer) {
    return assetEvent(tx, {
      type: "burn",
      from: m.from,
      to: null,
      asset: m.asset,
      amount,
      operationIndex,
    });
  }
  const toMuxed = m.mux ? destinationMuxedInfo(tx, m.to, m.mux.toMuxId) : null;
  if (fromIssuer) {
    return assetEvent(tx, {
      type: "mint",
      from: null,
      to: m.to,
      asset: m.asset,
      amount,
      operationIndex,
      toMuxed,
    });
  }
  return assetEvent(tx, {
    type: "transfer",
    from: m.from,
    to: m.to,
    asset: m.asset,
    amount,
    operationIndex,
    toMuxed,
  });
}

/** XLM event helper for fees: `from` pays `amount` (negative for refunds). */
export function feeEvent(tx: LedgerTx, from: string, amount: bigint | string): TokenEvent {
  return assetEvent(tx, {
    type: "fee",
    from,
    to: null,
    asset: NATIVE,
    amount: String(amount),
    operationIndex: null,
  });
}
