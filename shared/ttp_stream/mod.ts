/**
 * The `ttp_events` stream protocol shared by ttp-arrow-processor (serving) and
 * arrow-analytics-sink (consuming, and serving its stored events): tickets
 * `ttp_events:START:END[?filters]`, the event filters (`event_type`, `asset`, `address`,
 * `contract_address`, `min_amount`) as used by tickets, WebSocket and REST alike, and the ledger
 * watermarks carried in `app_metadata`.
 *
 * @module
 */
export * from "./filters.ts";
export * from "./ticket.ts";
export * from "./watermark.ts";
