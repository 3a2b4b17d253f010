/**
 * Stellar RPC access without any server: {@linkcode RpcClient} (`getLedgers` cursor paging,
 * `getLatestLedger`, `getHealth`, retries).
 *
 * @module
 */
export * from "./client.ts";
