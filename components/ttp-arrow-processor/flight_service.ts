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
import { getLogger } from "../../shared/log/mod.ts";
import { ttpEventSchema } from "../../shared/schema/ttp_event.ts";
import { type EventFilters, filtersToJson } from "./filters.ts";
import { eventBatches, type StreamContext } from "./event_stream.ts";
import { parseEventTicket, startLedger, TTP_EVENTS } from "./ticket.ts";

const log = getLogger(["processor", "flight"]);

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

/** The ticket a descriptor names: `undefined` for PATH [ttp_events], the bytes of a CMD. */
function descriptorTicket(descriptor: FlightDescriptor): Uint8Array | undefined {
  if (descriptor.type === "CMD" && descriptor.cmd?.length) return descriptor.cmd;
  if (
    descriptor.type !== "PATH" || descriptor.path?.length !== 1 || descriptor.path[0] !== TTP_EVENTS
  ) {
    throw FlightError.notFound(
      `Expected the descriptor PATH [${TTP_EVENTS}] or a CMD holding a ticket "${TTP_EVENTS}:START:END[?filters]", got ${
        describeDescriptor(descriptor)
      }`,
    );
  }
  return undefined;
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
    async getFlightInfo(descriptor, ctx) {
      const ticket = descriptorTicket(descriptor);
      if (!ticket) return flightInfo(ctx.signal);
      // A CMD ticket: validated and echoed, with the range it resolves to.
      const request = parseEventTicket(ticket, options.defaultFilters);
      const range = await source.availableRange({ signal: ctx.signal });
      const start = startLedger(request, range);
      return {
        schema: ttpEventSchema,
        descriptor,
        endpoints: [{ ticket }],
        ordered: true,
        appMetadata: encoder.encode(JSON.stringify({
          first_ledger: start,
          last_ledger: request.end ?? null,
          available: { first_ledger: range.first, last_ledger: range.last },
          filters: filtersToJson(request.filters),
        })),
      };
    },
    getSchema(descriptor) {
      if (descriptor.type === "CMD" && descriptor.cmd?.length) {
        parseEventTicket(descriptor.cmd, options.defaultFilters);
      } else descriptorTicket(descriptor);
      return ttpEventSchema;
    },
    async doGet(ticket, ctx) {
      const request = parseEventTicket(ticket, options.defaultFilters);
      const start = request.start ??
        startLedger(request, await source.availableRange({ signal: ctx.signal }));
      log.info("Stream {ticket} for {peer}", {
        ticket: new TextDecoder().decode(ticket),
        peer: ctx.peer,
      });
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
