/**
 * Stellar primitives used by the TTP extraction: strkeys (`G`, `M`, `C`, `L`, `B`), SEP-11
 * asset strings, SAC contract ids, network ids, transaction hashes and claimable balance ids
 * from pool-share revocations.
 *
 * @module
 */
export * from "./strkey.ts";
export * from "./hash.ts";
export * from "./asset.ts";
export * from "./contract_id.ts";
export * from "./tx_hash.ts";
export * from "./claimable_balance_id.ts";
