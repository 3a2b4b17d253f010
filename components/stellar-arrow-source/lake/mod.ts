/**
 * SEP-54 (Galexie) data lake access without any server: key naming, manifest, stores (local
 * folder, S3 REST over HTTP(S) with optional SigV4) and {@linkcode DataLake}.
 *
 * ```ts
 * import { DataLake } from "./components/stellar-arrow-source/lake/mod.ts";
 * const lake = await DataLake.open("testdata/lakes/pubnet-p26");
 * const range = await lake.availableRange(); // { start: 63092982, end: 63093001 }
 * const batch = await lake.readBatch(63092982); // zstd bytes of a LedgerCloseMetaBatch
 * ```
 *
 * @module
 */
export { errorMessage, SourceError, type SourceErrorKind } from "../errors.ts";
export * from "./keys.ts";
export * from "./manifest.ts";
export * from "./store.ts";
export * from "./sigv4.ts";
export { LocalStore } from "./local_store.ts";
export {
  decodeXmlText,
  HttpStore,
  type HttpStoreOptions,
  type ListPage,
  parseListObjectsV2,
} from "./http_store.ts";
export * from "./location.ts";
export * from "./lake.ts";
export * from "./ledgers.ts";
