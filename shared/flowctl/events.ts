/**
 * Event-type names and service-metadata keys shared by the components and the control plane.
 *
 * @module
 */

/** Event type produced by stellar-arrow-source and consumed by ttp-arrow-processor. */
export const STELLAR_LEDGER_EVENT_TYPE = "stellar_ledger_service.StellarLedger";
/** Event type produced by ttp-arrow-processor and consumed by arrow-analytics-sink. */
export const TTP_EVENT_TYPE = "ttp_event_service.TTPEvent";

/** Metadata key: Stellar network passphrase. */
export const NETWORK_METADATA_KEY = "network";
/** Metadata key: where a source reads ledgers from (e.g. `datalake`, `rpc`). */
export const STORAGE_TYPE_METADATA_KEY = "storage_type";
/** Metadata key: comma-separated output formats of the sink. */
export const OUTPUT_FORMATS_METADATA_KEY = "output_formats";
