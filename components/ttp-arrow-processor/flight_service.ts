/**
 * The processor's Flight handlers: `["ttp_events"]` in ListFlights / GetFlightInfo / GetSchema
 * (range from the source), DoGet on `ttp_events:START:END[?filters]`, and the `get_status`
 * action.
 *
 * @module
 */
import {
  describeDescriptor,
  type FlightDescriptor,
  FlightError,
  type FlightHandlers,
  type FlightInfo,
  pathDescriptor,
} from "../../shared/flight/mod.ts";
import { ttpEventSchema } from "../../shared/schema/ttp_event.ts";
import { type EventFilters, filtersToJson } from "./filters.ts";
import { eventBatches, type StreamContext } from "./event_stream.ts";
import { parseEventTicket, startLedger, TTP_EVENTS } from "./ticket.ts";

/** The actions the processor offers. */
export const ACTIONS = [
  {
    type: "get_status",
    description:
      "JSON: ledgers consumed, events extracted by kind, filtered, last ledger, mode, verification failures, source state",
  },
] as const;

/** Options of {@linkcode createFlightHandlers}. */
export interface FlightServiceOptions extends StreamContext {
  /** Default filters from configuration. */
  defaultFilters: EventFilters;
}

function checkDescriptor(descriptor: FlightDescriptor): void {
  if (
    descriptor.type !== "PATH" || descriptor.path?.length !== 1 || descriptor.path[0] !== TTP_EVENTS
  ) {
    throw FlightError.notFound(
      `Expected the descriptor PATH [${TTP_EVENTS}], got ${describeDescriptor(descriptor)}`,
    );
  }
}

/** The Flight handlers of the processor. */
export function createFlightHandlers(options: FlightServiceOptions): FlightHandlers {
  const { source, stats } = options;
  const encoder = new TextEncoder();

  const flightInfo = async (signal: AbortSignal): Promise<FlightInfo> => {
    const range = await source.availableRange({ signal });
    const ticket = `${TTP_EVENTS}:${range.first}:${range.last}`;
    return {
      schema: ttpEventSchema,
      descriptor: pathDescriptor(TTP_EVENTS),
      endpoints: [{ ticket: encoder.encode(ticket) }],
      totalRecords: -1,
      totalBytes: -1,
      ordered: true,
      appMetadata: encoder.encode(JSON.stringify({
        first_ledger: range.first,
        last_ledger: range.last,
        default_filters: filtersToJson(options.defaultFilters),
        follow_ticket: `${TTP_EVENTS}:${range.first}:`,
      })),
    };
  };

  return {
    async listFlights(_criteria, ctx) {
      return [await flightInfo(ctx.signal)];
    },
    getFlightInfo(descriptor, ctx) {
      checkDescriptor(descriptor);
      return flightInfo(ctx.signal);
    },
    getSchema(descriptor) {
      checkDescriptor(descriptor);
      return ttpEventSchema;
    },
    async doGet(ticket, ctx) {
      const request = parseEventTicket(ticket, options.defaultFilters);
      const start = request.start ??
        startLedger(request, await source.availableRange({ signal: ctx.signal }));
      return {
        schema: ttpEventSchema,
        batches: eventBatches(options, { ...request, start }, ctx.signal),
      };
    },
    doAction(action) {
      if (action.type !== "get_status") {
        throw FlightError.invalidArgument(
          `Unknown action "${action.type}"; expected one of ${
            ACTIONS.map((a) => a.type).join(", ")
          }`,
        );
      }
      return [encoder.encode(JSON.stringify(stats.status()))];
    },
    listActions() {
      return ACTIONS.map((a) => ({ ...a }));
    },
  };
}
