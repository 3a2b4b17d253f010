/**
 * A loopback Arrow Flight server standing in for ttp-arrow-processor in tests: serves given
 * events (e.g. real pubnet-p26 events from the TTP module) for `ttp_events:START:END[?filters]`
 * in ledger order, one record batch per ledger, and answers GetFlightInfo on `["ttp_events"]`.
 * With an empty END it follows: after the last offered ledger it waits for {@linkcode
 * ProcessorStub.append}. It can break streams on purpose to exercise reconnection.
 *
 * @module
 */
import { FlightError, FlightServer } from "../../../shared/flight/mod.ts";
import type { RecordBatch } from "apache-arrow";
import {
  eventsToRecordBatch,
  type TtpEvent,
  ttpEventSchema,
} from "../../../shared/schema/ttp_event.ts";
import { compileFilters } from "../../../shared/ttp_stream/mod.ts";
import {
  type EventTicket,
  parseTicket,
  TicketError,
  TTP_EVENTS,
} from "../../../shared/ttp_stream/mod.ts";

/** Options of {@linkcode startProcessorStub}. */
export interface ProcessorStubOptions {
  /** Events to serve, any order (served by ledger, stream order kept within a ledger). */
  events: readonly TtpEvent[];
  /** Offered range; defaults to the events' min and max ledger. */
  first?: number;
  last?: number;
  /** Break each of the first N streams after this many batches (UNAVAILABLE). */
  breakAfterBatches?: number;
  /** How many streams to break. Default 0. */
  breakStreams?: number;
  /** Delay before each batch, ms. */
  batchDelayMs?: number;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Build the record batches once up front (benchmarks: keeps the stub's own work out). */
  prebuild?: boolean;
}

/** A running stub. */
export interface ProcessorStub {
  endpoint: string;
  /** Tickets received, in order. */
  tickets: string[];
  /** Adds events of later ledgers and moves the offered last ledger; follow streams pick them up. */
  append(events: readonly TtpEvent[], last?: number): void;
  close(): Promise<void>;
}

/** Starts the stub on 127.0.0.1 with a free port. */
export async function startProcessorStub(options: ProcessorStubOptions): Promise<ProcessorStub> {
  const byLedger = new Map<number, TtpEvent[]>();
  for (const e of options.events) {
    let list = byLedger.get(e.ledger_sequence);
    if (!list) byLedger.set(e.ledger_sequence, list = []);
    list.push(e);
  }
  const ledgers = [...byLedger.keys()];
  const first = options.first ?? Math.min(...ledgers);
  let last = options.last ?? Math.max(...ledgers);
  let wake: (() => void)[] = [];
  const built = new Map<number, RecordBatch[]>();
  const halves = (events: TtpEvent[]): RecordBatch[] => {
    // Two batches per ledger so ledger boundaries fall inside and between batches.
    const half = Math.ceil(events.length / 2);
    return half < events.length
      ? [eventsToRecordBatch(events.slice(0, half)), eventsToRecordBatch(events.slice(half))]
      : [eventsToRecordBatch(events)];
  };
  if (options.prebuild) { for (const [ledger, list] of byLedger) built.set(ledger, halves(list)); }
  const tickets: string[] = [];
  let broken = 0;
  const encoder = new TextEncoder();
  const server = new FlightServer({
    getFlightInfo(descriptor) {
      if (descriptor.path?.join("/") !== TTP_EVENTS) throw FlightError.notFound("unknown path");
      return {
        schema: ttpEventSchema,
        endpoints: [{ ticket: encoder.encode(`${TTP_EVENTS}:${first}:${last}`) }],
        appMetadata: encoder.encode(JSON.stringify({ first_ledger: first, last_ledger: last })),
      };
    },
    doGet(bytes, ctx) {
      const text = new TextDecoder().decode(bytes);
      tickets.push(text);
      let ticket: EventTicket;
      try {
        ticket = parseTicket(text);
      } catch (error) {
        if (error instanceof TicketError) throw FlightError.invalidArgument(error.message);
        throw error;
      }
      const start = ticket.start ?? first;
      const follow = ticket.end === undefined;
      const match = compileFilters(ticket.filters);
      const breakThis = broken < (options.breakStreams ?? 0);
      if (breakThis) broken++;
      async function* batches() {
        let sent = 0;
        for (let ledger = start; follow || ledger <= Math.min(ticket.end ?? last, last); ledger++) {
          if (ctx.signal.aborted) return;
          while (follow && ledger > last) {
            await new Promise<void>((resolve) => {
              wake.push(resolve);
              ctx.signal.addEventListener("abort", () => resolve(), { once: true });
            });
            if (ctx.signal.aborted) return;
          }
          const events = (byLedger.get(ledger) ?? []).filter(match);
          if (events.length === 0) continue;
          if (breakThis && sent >= (options.breakAfterBatches ?? 0)) {
            throw FlightError.unavailable(`stub: stream broken on purpose before ledger ${ledger}`);
          }
          if (options.batchDelayMs) await new Promise((r) => setTimeout(r, options.batchDelayMs));
          const whole = events.length === (byLedger.get(ledger) ?? []).length;
          yield* (whole && built.get(ledger)) || halves(events);
          sent++;
        }
      }
      return { schema: ttpEventSchema, batches: batches() };
    },
  }, { name: "processor-stub" });
  const port = await server.listen({ host: "127.0.0.1", port: options.port ?? 0 });
  return {
    endpoint: `127.0.0.1:${port}`,
    tickets,
    append(events, newLast) {
      for (const e of events) {
        let list = byLedger.get(e.ledger_sequence);
        if (!list) byLedger.set(e.ledger_sequence, list = []);
        list.push(e);
      }
      last = Math.max(last, newLast ?? Math.max(...events.map((e) => e.ledger_sequence)));
      const waiting = wake;
      wake = [];
      for (const w of waiting) w();
    },
    close: () => server.close(),
  };
}
