/**
 * The source's Arrow Flight handlers: path `["stellar_ledgers"]`, tickets
 * `stellar_ledgers:START:END`, DoGet streaming `stellar_ledger` record batches in sequence order,
 * GetFlightInfo/GetSchema/ListFlights, and the `get_status` action. Errors map to gRPC codes:
 * INVALID_ARGUMENT (malformed ticket), NOT_FOUND (range not held, with the available range),
 * UNAVAILABLE (store down), DATA_LOSS (corrupt data, naming ledger and object), INTERNAL.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  EncodedFlightData,
  type FlightDescriptor,
  FlightError,
  type FlightHandlers,
  type FlightInfo,
  GrpcStatus,
} from "../../shared/flight/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { stellarLedgerSchema } from "../../shared/schema/mod.ts";
import { errorMessage, SourceError } from "./errors.ts";
import type { SequenceRange } from "./lake/mod.ts";
import { type DecodeFn, streamLedgers } from "./ledger_stream.ts";
import type { LedgerSource } from "./source.ts";
import type { SourceMetrics, SourceStatus } from "./status.ts";
import { formatTicket, type LedgerTicket, parseTicket, STREAM_NAME } from "./ticket.ts";

const log = getLogger(["source", "flight"]);

/** Default byte budget of one record batch (ledger_xdr bytes). */
export const DEFAULT_BATCH_BYTES = 2 * 1024 * 1024;

/** Options of {@linkcode createFlightHandlers}. */
export interface SourceServiceOptions {
  /** The ledger source. */
  source: LedgerSource;
  /** Decoder (worker pool). */
  decode: DecodeFn;
  /** Units decoded ahead of each client. */
  readAhead: number;
  /** Follow-mode poll interval, ms. */
  pollIntervalMs: number;
  /** Shared state. */
  status: SourceStatus;
  /** Metrics. */
  metrics: SourceMetrics;
  /** Byte budget of one record batch; default {@linkcode DEFAULT_BATCH_BYTES}. */
  batchBytes?: number;
}

/** Maps any error to the Flight error a client should see. */
export function toFlightError(err: unknown): FlightError {
  if (err instanceof FlightError) return err;
  if (err instanceof SourceError) {
    switch (err.kind) {
      case "invalid_argument":
        return FlightError.invalidArgument(err.message, { cause: err });
      case "failed_precondition":
        return new FlightError(GrpcStatus.FAILED_PRECONDITION, err.message, { cause: err });
      case "not_found":
        return FlightError.notFound(err.message, { cause: err });
      case "unavailable":
        return FlightError.unavailable(err.message, { cause: err });
      case "data_loss":
        return new FlightError(GrpcStatus.DATA_LOSS, err.message, { cause: err });
      case "resource_exhausted":
        return FlightError.resourceExhausted(err.message, { cause: err });
      default:
        return FlightError.internal(err.message, { cause: err });
    }
  }
  return FlightError.internal(errorMessage(err), { cause: err });
}

function describeRange(range: SequenceRange | null): string {
  return range ? `${range.start}-${range.end}` : "none (the source holds no ledgers)";
}

/**
 * Checks a requested range against the available one; throws NOT_FOUND saying what is held.
 * `undefined` (a store that cannot list) lets every range through: missing objects then answer
 * NOT_FOUND by name.
 */
export function checkRange(
  ticket: LedgerTicket,
  available: SequenceRange | null | undefined,
): void {
  if (available === undefined) return;
  const want = ticket.end === undefined
    ? `${ticket.start}-(live)`
    : `${ticket.start}-${ticket.end}`;
  if (ticket.end === undefined) {
    if (available && ticket.start < available.start) {
      throw FlightError.notFound(
        `ledgers ${want} not held: available range is ${describeRange(available)}`,
      );
    }
    return;
  }
  if (!available || ticket.start < available.start || ticket.end > available.end) {
    throw FlightError.notFound(
      `ledgers ${want} not held: available range is ${describeRange(available)}`,
    );
  }
}

/** Builds the Flight handlers of the source. */
export function createFlightHandlers(opts: SourceServiceOptions): FlightHandlers {
  const { source, status, metrics } = opts;
  const budget = opts.batchBytes ?? DEFAULT_BATCH_BYTES;
  let networkId: Uint8Array | undefined;

  const refresh = async (signal?: AbortSignal): Promise<SequenceRange | null | undefined> => {
    try {
      const passphrase = await source.networkPassphrase(signal);
      if (!networkId || status.networkPassphrase !== passphrase) {
        networkId = createHash("sha256").update(passphrase).digest();
        status.networkPassphrase = passphrase;
      }
      const range = await source.availableRange(signal);
      status.storeOk(range);
      return range;
    } catch (err) {
      if (signal?.aborted) throw err;
      metrics.errorCount.inc();
      if (err instanceof SourceError && err.kind === "unavailable") status.storeFailed(err);
      else if (err instanceof SourceError && err.kind === "failed_precondition") {
        status.configFailed(err);
      } else status.error(err);
      throw toFlightError(err);
    }
  };

  const infoFor = (
    range: SequenceRange | null | undefined,
    descriptor: FlightDescriptor,
  ): FlightInfo => ({
    schema: stellarLedgerSchema,
    descriptor,
    endpoints: range
      ? [{ ticket: new TextEncoder().encode(formatTicket({ start: range.start, end: range.end })) }]
      : [],
    // -1: unknown (the store refuses listings).
    totalRecords: range ? range.end - range.start + 1 : range === null ? 0 : -1,
    ordered: true,
    appMetadata: new TextEncoder().encode(JSON.stringify({
      first_ledger: range?.start ?? null,
      last_ledger: range?.end ?? null,
      source_type: source.type,
      network_passphrase: status.networkPassphrase ?? null,
    })),
  });

  const pathDescriptor: FlightDescriptor = { type: "PATH", path: [STREAM_NAME] };

  async function* batches(
    ticket: LedgerTicket,
    signal: AbortSignal,
  ): AsyncGenerator<EncodedFlightData> {
    status.activeStreams++;
    metrics.activeStreams.inc();
    // Buffers of messages the transport is done with go back to the decoders for reuse (less
    // allocation and garbage on both threads); a few at most, the rest is left to the GC.
    const freed: ArrayBuffer[] = [];
    const release = (buffer: ArrayBuffer) => {
      if (freed.length < 2 * opts.readAhead) freed.push(buffer);
    };
    // Counted as a batch is handed to the transport.
    const served = (ledgers: number, xdrBytes: number, lastSequence: number) => {
      metrics.ledgersProcessed.inc(ledgers);
      metrics.totalBytes.inc(xdrBytes);
      metrics.lastSequence.set(lastSequence);
      status.served(ledgers, lastSequence);
    };
    try {
      for await (
        const group of streamLedgers({
          source,
          decode: opts.decode,
          start: ticket.start,
          end: ticket.end,
          readAhead: opts.readAhead,
          pollIntervalMs: opts.pollIntervalMs,
          // The decode workers build the messages: this thread only writes them.
          encode: { networkId: networkId!, sourceType: source.type, batchBytes: budget },
          recycled: () => freed.splice(0),
          signal,
          onUnit: ({ elapsedMs, result }) => {
            const n = Math.max(1, result.ledgers.length);
            metrics.processingLatencyMs.observe(elapsedMs / n);
            metrics.successCount.inc(result.ledgers.length);
          },
          onPollError: (err) => {
            metrics.errorCount.inc();
            status.storeFailed(err);
          },
        })
      ) {
        // The decode workers were asked to encode: every group ends with its messages.
        if (!group[group.length - 1].encoded) {
          throw new Error(
            `Expected the decoder to return Flight messages for ledgers through ${
              group[group.length - 1].sequence
            }, got ledgers without them`,
          );
        }
        for (const l of group) {
          const part = l.encoded;
          if (!part) continue;
          const last = part.messages.length - 1;
          for (let i = 0; i <= last; i++) {
            if (i === last) served(part.ledgers, part.xdrBytes, l.sequence);
            const m = part.messages[i];
            yield new EncodedFlightData(m, { onWritten: () => release(m.buffer as ArrayBuffer) });
          }
        }
      }
    } catch (err) {
      if (signal.aborted) throw err;
      metrics.errorCount.inc();
      status.error(err);
      if (err instanceof SourceError && err.kind === "unavailable") status.storeFailed(err);
      log.warn("stream {ticket} failed: {message}", {
        ticket: formatTicket(ticket),
        message: errorMessage(err),
      });
      throw toFlightError(err);
    } finally {
      status.activeStreams--;
      metrics.activeStreams.dec();
    }
  }

  return {
    async listFlights(_criteria, ctx) {
      return [infoFor(await refresh(ctx.signal), pathDescriptor)];
    },

    async getFlightInfo(descriptor, ctx) {
      if (descriptor.type === "PATH") {
        if (descriptor.path?.length !== 1 || descriptor.path[0] !== STREAM_NAME) {
          throw FlightError.notFound(
            `unknown flight path ${
              JSON.stringify(descriptor.path ?? [])
            }: expected ["${STREAM_NAME}"]`,
          );
        }
        return infoFor(await refresh(ctx.signal), descriptor);
      }
      if (descriptor.type === "CMD" && descriptor.cmd) {
        let ticket: LedgerTicket;
        try {
          ticket = parseTicket(descriptor.cmd);
        } catch (err) {
          throw FlightError.invalidArgument(errorMessage(err));
        }
        const available = await refresh(ctx.signal);
        checkRange(ticket, available);
        return {
          schema: stellarLedgerSchema,
          descriptor,
          endpoints: [{ ticket: new TextEncoder().encode(formatTicket(ticket)) }],
          totalRecords: ticket.end === undefined ? -1 : ticket.end - ticket.start + 1,
          ordered: true,
        };
      }
      throw FlightError.invalidArgument(
        `expected a PATH descriptor ["${STREAM_NAME}"] or a CMD holding a ticket`,
      );
    },

    getSchema(descriptor) {
      if (
        descriptor.type === "PATH" &&
        (descriptor.path?.length !== 1 || descriptor.path[0] !== STREAM_NAME)
      ) {
        throw FlightError.notFound(
          `unknown flight path ${
            JSON.stringify(descriptor.path ?? [])
          }: expected ["${STREAM_NAME}"]`,
        );
      }
      return stellarLedgerSchema;
    },

    async doGet(ticketBytes, ctx) {
      let ticket: LedgerTicket;
      try {
        ticket = parseTicket(ticketBytes);
      } catch (err) {
        throw FlightError.invalidArgument(errorMessage(err));
      }
      const available = await refresh(ctx.signal);
      checkRange(ticket, available);
      log.info("stream {ticket} for {peer}", { ticket: formatTicket(ticket), peer: ctx.peer });
      return { schema: stellarLedgerSchema, batches: batches(ticket, ctx.signal) };
    },

    doAction(action) {
      if (action.type !== "get_status") {
        throw FlightError.invalidArgument(
          `unknown action "${action.type}": expected "get_status"`,
        );
      }
      return [new TextEncoder().encode(JSON.stringify(status.toJSON()))];
    },

    listActions() {
      return [{
        type: "get_status",
        description:
          "JSON: available range, ledgers served, source type and URL, store reachability, last error",
      }];
    },
  };
}
