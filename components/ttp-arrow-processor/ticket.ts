/**
 * Tickets, both sides of the processor:
 * - served: `ttp_events:START:END[?filters]` (END inclusive, empty END follows the tip, empty
 *   START means the first ledger the source has), parsed by the one ticket parser shared with the
 *   sink (`shared/ttp_stream/`) and combined with the configured default
 *   filters; any problem is `INVALID_ARGUMENT`;
 * - pulled: `stellar_ledgers:START:END` from stellar-arrow-source, and the source's available
 *   range read from its FlightInfo.
 *
 * Pure functions.
 *
 * @module
 */
import { FlightError, type FlightInfo } from "../../shared/flight/mod.ts";
import { formatTicket, parseTicket, TicketError, TTP_EVENTS } from "../../shared/ttp_stream/mod.ts";
import { effectiveFilters, type EventFilters } from "./filters.ts";

export { formatTicket, TTP_EVENTS };

/** The source's flight name (descriptor path and ticket prefix). */
export const STELLAR_LEDGERS = "stellar_ledgers";

/** What a client asked for. */
export interface StreamRequest {
  /** First ledger, or `undefined` for the first the source has. */
  start?: number;
  /** Last ledger (inclusive), or `undefined` to follow the tip. */
  end?: number;
  /** Filters in force: the ticket's, over the configured defaults. */
  filters: EventFilters;
}

/** An inclusive ledger range. */
export interface LedgerRange {
  /** First ledger. */
  first: number;
  /** Last ledger (inclusive). */
  last: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a `ttp_events` ticket and applies the configured default filters (a filter named in the
 * ticket replaces its default).
 *
 * @throws {FlightError} `INVALID_ARGUMENT` naming what was expected and what came.
 */
export function parseEventTicket(ticket: Uint8Array, defaults: EventFilters = {}): StreamRequest {
  let text: string;
  try {
    text = utf8.decode(ticket);
  } catch {
    throw FlightError.invalidArgument(
      `Expected a UTF-8 ticket "${TTP_EVENTS}:START:END[?filters]", got ${ticket.length} bytes of invalid UTF-8`,
    );
  }
  try {
    const parsed = parseTicket(text);
    return {
      start: parsed.start,
      end: parsed.end,
      filters: effectiveFilters(defaults, parsed.filters),
    };
  } catch (error) {
    if (error instanceof TicketError) throw FlightError.invalidArgument(error.message);
    throw error;
  }
}

/** The source ticket for ledgers `start` to `end` (inclusive), or from `start` on when `end` is absent. */
export function sourceTicket(start: number, end?: number): string {
  return `${STELLAR_LEDGERS}:${start}:${end ?? ""}`;
}

/** Parses `stellar_ledgers:START:END` with both bounds present; `undefined` otherwise. */
export function parseSourceTicket(text: string): LedgerRange | undefined {
  const m = /^stellar_ledgers:(\d+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  return first <= last ? { first, last } : undefined;
}

function readMetadataRange(bytes: Uint8Array | undefined): LedgerRange | undefined {
  if (!bytes?.byteLength) return undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const pick = (...names: string[]) => {
      for (const n of names) if (Number.isSafeInteger(json[n])) return json[n] as number;
      return undefined;
    };
    const first = pick("first_ledger", "firstLedger", "first", "start", "oldest_ledger");
    const last = pick("last_ledger", "lastLedger", "last", "end", "latest_ledger");
    return first !== undefined && last !== undefined && first <= last ? { first, last } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ledger range a source FlightInfo describes: the union of its endpoints' tickets
 * (`stellar_ledgers:FIRST:LAST`), or else its JSON app metadata (`first_ledger`/`last_ledger`).
 *
 * @throws {FlightError} `UNAVAILABLE` when neither says which ledgers the source has.
 */
export function sourceRangeOf(info: FlightInfo): LedgerRange {
  let range: LedgerRange | undefined;
  for (const endpoint of info.endpoints) {
    const r = parseSourceTicket(new TextDecoder().decode(endpoint.ticket));
    if (!r) continue;
    range = range
      ? { first: Math.min(range.first, r.first), last: Math.max(range.last, r.last) }
      : r;
  }
  range ??= readMetadataRange(info.appMetadata);
  if (!range) {
    throw FlightError.unavailable(
      `Expected the source's FlightInfo to name its ledger range (an endpoint ticket "${STELLAR_LEDGERS}:FIRST:LAST" or app metadata first_ledger/last_ledger), got ${info.endpoints.length} endpoint(s) without one`,
    );
  }
  return range;
}

/** The first ledger a request starts at, given the source's range. */
export function startLedger(request: StreamRequest, available: LedgerRange): number {
  return request.start ?? available.first;
}
