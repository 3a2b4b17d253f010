/**
 * Flight tickets of the TTP event stream: `ttp_events:START:END[?filters]`. END is inclusive; an
 * empty END follows the tip; an empty START means "from the first ledger available". Filters use
 * query-string syntax: `event_type=transfer,mint&asset=native&address=G...&min_amount=1000000`.
 *
 * @module
 */
import {
  type EventFilters,
  FILTER_NAMES,
  FilterError,
  filtersFromParams,
  filtersToJson,
} from "./filters.ts";

/** The stream name in tickets and descriptor paths. */
export const TTP_EVENTS = "ttp_events";

/** A parsed ticket. */
export interface EventTicket {
  /** First ledger, or `undefined` for the first available. */
  start?: number;
  /** Last ledger (inclusive), or `undefined` to follow the tip. */
  end?: number;
  /** Filters. */
  filters: EventFilters;
}

/** A malformed ticket. */
export class TicketError extends Error {
  override name = "TicketError";
}

function parseLedger(name: string, raw: string, ticket: string): number | undefined {
  if (raw === "") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff || Number(raw) < 1) {
    throw new TicketError(
      `Ticket ${
        JSON.stringify(ticket)
      }: expected ${name} to be a ledger number (1..4294967295) or empty, got ${
        JSON.stringify(raw)
      }`,
    );
  }
  return Number(raw);
}

/**
 * Parses a ticket.
 *
 * @throws {TicketError} naming the part that is wrong.
 */
export function parseTicket(ticket: string): EventTicket {
  const q = ticket.indexOf("?");
  const head = q >= 0 ? ticket.slice(0, q) : ticket;
  const query = q >= 0 ? ticket.slice(q + 1) : "";
  const parts = head.split(":");
  if (parts.length !== 3 || parts[0] !== TTP_EVENTS) {
    throw new TicketError(
      `Expected a ticket "${TTP_EVENTS}:START:END[?filters]", got ${JSON.stringify(ticket)}`,
    );
  }
  const start = parseLedger("START", parts[1], ticket);
  const end = parseLedger("END", parts[2], ticket);
  if (start !== undefined && end !== undefined && start > end) {
    throw new TicketError(
      `Ticket ${JSON.stringify(ticket)}: expected START <= END, got ${start} > ${end}`,
    );
  }
  let filters: EventFilters;
  try {
    filters = filtersFromParams(new URLSearchParams(query));
  } catch (error) {
    if (error instanceof FilterError) {
      throw new TicketError(`Ticket ${JSON.stringify(ticket)}: filter ${error.message}`);
    }
    throw error;
  }
  return { start, end, filters };
}

/** Formats a ticket; filters outside `allowed` are left out. */
export function formatTicket(
  ticket: EventTicket,
  allowed: readonly string[] = FILTER_NAMES,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filtersToJson(ticket.filters))) {
    if (!allowed.includes(name)) continue;
    params.set(name, Array.isArray(value) ? value.join(",") : value);
  }
  const query = params.toString().replaceAll("%2C", ",").replaceAll("%3A", ":");
  return `${TTP_EVENTS}:${ticket.start ?? ""}:${ticket.end ?? ""}${query ? "?" + query : ""}`;
}
