/**
 * Arrow Flight over the stored dataset:
 *
 * - `GetFlightInfo` on path `["ttp_events"]`: the `ttp_event` schema, one endpoint whose ticket is
 *   `ttp_events:FIRST:LAST` (the committed range), and `app_metadata` JSON
 *   `{"first_ledger", "last_ledger", "events"}` (with nothing stored yet: `last_ledger` null and
 *   the ticket `ttp_events:FIRST:`);
 * - `DoGet` with `ttp_events:START:END[?filters]`: the stored events of the range in ledger order
 *   (`event_id` order), in batches; when END is empty or beyond the committed range the stream
 *   waits for further commits (follows the tip) until END.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import {
  type CallContext,
  FlightError,
  type FlightHandlers,
  type FlightInfo,
} from "../../shared/flight/mod.ts";
import { eventsToRecordBatch, ttpEventSchema } from "../../shared/schema/ttp_event.ts";
import type { CommitWatch } from "./commit_watch.ts";
import type { EventStore } from "./query/store.ts";
import { parseTicket, TicketError, TTP_EVENTS } from "../../shared/ttp_stream/mod.ts";

/** Rows per record batch sent. */
export const DO_GET_BATCH_ROWS = 8192;

/** What the Flight service reads. */
export interface FlightServiceContext {
  /** The stored dataset. */
  store: EventStore;
  /** Committed-ledger watermark. */
  committed: CommitWatch;
  /** First ledger of the dataset. */
  firstLedger(): number;
  /** Events stored. */
  eventsStored(): number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Creates the Flight handlers of the sink. */
export function createFlightHandlers(ctx: FlightServiceContext): FlightHandlers {
  function info(): FlightInfo {
    const first = ctx.firstLedger();
    const stored = ctx.committed.ledger >= first;
    const last = stored ? ctx.committed.ledger : null;
    return {
      schema: ttpEventSchema,
      descriptor: { type: "PATH", path: [TTP_EVENTS] },
      // Nothing stored yet: a ticket that follows from the first ledger.
      endpoints: [{ ticket: encoder.encode(`${TTP_EVENTS}:${first}:${last ?? ""}`) }],
      totalRecords: ctx.eventsStored(),
      ordered: true,
      appMetadata: encoder.encode(
        JSON.stringify({ first_ledger: first, last_ledger: last, events: ctx.eventsStored() }),
      ),
    };
  }

  async function* batches(
    query: { start: number; end?: number; filters: ReturnType<typeof parseTicket>["filters"] },
    signal: AbortSignal,
  ): AsyncGenerator<arrow.RecordBatch> {
    let after: string | undefined;
    let through = Math.min(ctx.committed.ledger, query.end ?? Infinity);
    for (;;) {
      const rows = await ctx.store.query({
        filters: query.filters,
        ledgerFrom: query.start,
        ledgerTo: through,
        after,
        limit: DO_GET_BATCH_ROWS,
      });
      if (rows.length > 0) {
        after = rows[rows.length - 1].event_id;
        yield eventsToRecordBatch(rows);
      }
      if (rows.length === DO_GET_BATCH_ROWS) continue;
      if (query.end !== undefined && through >= query.end) return;
      await ctx.committed.waitBeyond(through, signal);
      through = Math.min(ctx.committed.ledger, query.end ?? Infinity);
    }
  }

  return {
    listFlights() {
      return [info()];
    },
    getFlightInfo(descriptor) {
      if (descriptor.type !== "PATH" || descriptor.path?.join("/") !== TTP_EVENTS) {
        throw FlightError.notFound(
          `Expected descriptor path ["${TTP_EVENTS}"], got ${
            JSON.stringify(descriptor.path ?? descriptor.type)
          }`,
        );
      }
      return info();
    },
    doGet(ticketBytes: Uint8Array, call: CallContext) {
      const text = decoder.decode(ticketBytes);
      let ticket;
      try {
        ticket = parseTicket(text);
      } catch (error) {
        if (error instanceof TicketError) throw FlightError.invalidArgument(error.message);
        throw error;
      }
      const first = ctx.firstLedger();
      const start = ticket.start ?? first;
      if (start < first) {
        throw FlightError.notFound(
          `Ticket ${JSON.stringify(text)}: stored ledgers start at ${first}, got START ${start}`,
        );
      }
      return {
        schema: ttpEventSchema,
        batches: batches({ start, end: ticket.end, filters: ticket.filters }, call.signal),
      };
    },
  };
}
