/**
 * The project's two Arrow schemas, `stellar_ledger` (source output) and `ttp_event` (processor
 * and sink), with row types and conversions between rows and Arrow RecordBatches.
 *
 * @module
 */
export * from "./stellar_ledger.ts";
export * from "./ttp_event.ts";
export { recordBatch } from "./columns.ts";
