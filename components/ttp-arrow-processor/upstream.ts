/**
 * The processor's client of stellar-arrow-source: the available range (GetFlightInfo on
 * `["stellar_ledgers"]`) and ledger streams that survive the source going away.
 *
 * {@linkcode SourceClient.ledgers} requests `stellar_ledgers:START:END`, checks that rows come
 * in sequence with no gap, and remembers the last ledger it handed out. When the source drops
 * (`UNAVAILABLE`, a reset connection, or a stream that ends before END), it re-requests
 * `last+1:END` with exponential backoff, so a restart of the source costs neither a gap nor a
 * duplicate. A stream that has not received a ledger yet gives up after `connectTimeoutMs` of
 * failures, a running one after `retryTimeoutMs` of failures in a row (the clock restarts
 * whenever the source accepts a call again); both fail with `UNAVAILABLE`. Aborting
 * the caller's signal (or leaving the loop) cancels the upstream call.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import {
  FlightClient,
  FlightError,
  GrpcStatus,
  pathDescriptor,
  toFlightError,
} from "../../shared/flight/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { delay as sleep } from "../../shared/async/mod.ts";
import { column } from "../../shared/schema/columns.ts";
import { type LedgerRange, sourceRangeOf, sourceTicket, STELLAR_LEDGERS } from "./ticket.ts";

const log = getLogger(["processor", "upstream"]);

/** One ledger as the processor needs it. */
export interface UpstreamLedger {
  /** Ledger sequence. */
  sequence: number;
  /** sha256 of the network passphrase (32 bytes). */
  networkId: Uint8Array;
  /**
   * `LedgerCloseMeta` XDR: a view into the received message's buffer (not copied). Ledgers of
   * one source batch share that buffer; nothing else reads it after {@linkcode
   * SourceClient.ledgers} yields, so it may be transferred to a worker (see `event_stream.ts`).
   */
  xdr: Uint8Array;
}

/** Backoff between reconnection attempts. */
export interface BackoffOptions {
  /** First delay in milliseconds. Default 100. */
  initialMs?: number;
  /** Largest delay in milliseconds. Default 5000. */
  maxMs?: number;
}

/** Options of {@linkcode SourceClient}. */
export interface SourceClientOptions {
  /** The source's Flight endpoint, e.g. `localhost:8816`. */
  endpoint: string;
  /** How long a stream that has received nothing yet keeps retrying. Default 5000. */
  connectTimeoutMs?: number;
  /** How long a running stream keeps retrying without progress. Default 60000. */
  retryTimeoutMs?: number;
  /** Reconnection backoff. */
  backoff?: BackoffOptions;
}

/** Options of one {@linkcode SourceClient.ledgers} stream. */
export interface LedgerStreamRequest {
  /** First ledger. */
  start: number;
  /** Last ledger (inclusive); absent follows the tip. */
  end?: number;
  /** Cancels the stream. */
  signal?: AbortSignal;
}

/** Counters of a {@linkcode SourceClient}. */
export interface SourceClientStats {
  /** Streams from the source currently open. */
  activeStreams: number;
  /** Reconnections after a lost stream. */
  reconnects: number;
  /** Rows skipped because they were already handed out (after a resume). */
  duplicatesSkipped: number;
  /** Whether the last call to the source succeeded. */
  connected: boolean;
  /** The last failure talking to the source, if any. */
  lastError?: string;
}

function isRetryable(error: FlightError): boolean {
  if (error.code === GrpcStatus.UNAVAILABLE) return true;
  // A source killed mid-stream may surface as a reset stream rather than UNAVAILABLE.
  if (error.code === GrpcStatus.INTERNAL || error.code === GrpcStatus.UNKNOWN) {
    return /RST_STREAM|Connection dropped|ECONNRESET|socket|GOAWAY|closed/i.test(error.message);
  }
  // Our own cancellations are handled before this is asked; a CANCELLED status then comes from
  // the source (e.g. its server shutting down and resetting open streams).
  return error.code === GrpcStatus.CANCELLED;
}

class PrematureEnd extends Error {
  override name = "PrematureEnd";
}

/** A client of stellar-arrow-source with reconnect and resume. */
export class SourceClient {
  /** The source's endpoint. */
  readonly endpoint: string;
  readonly #client: FlightClient;
  readonly #connectTimeoutMs: number;
  readonly #retryTimeoutMs: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #stats: SourceClientStats = {
    activeStreams: 0,
    reconnects: 0,
    duplicatesSkipped: 0,
    connected: false,
  };

  /** Creates the client (connects lazily). */
  constructor(options: SourceClientOptions) {
    this.endpoint = options.endpoint;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.#retryTimeoutMs = options.retryTimeoutMs ?? 60_000;
    this.#initialMs = options.backoff?.initialMs ?? 100;
    this.#maxMs = options.backoff?.maxMs ?? 5_000;
    this.#client = new FlightClient(options.endpoint, {
      channelOptions: {
        // Reconnect promptly once a restarted source is back (grpc-js defaults to 1 s .. 120 s).
        "grpc.initial_reconnect_backoff_ms": this.#initialMs,
        "grpc.max_reconnect_backoff_ms": this.#maxMs,
      },
    });
  }

  /** Counters and connection state. */
  get stats(): SourceClientStats {
    return { ...this.#stats };
  }

  #ok(): void {
    this.#stats.connected = true;
  }

  #failed(error: FlightError): void {
    if (error.code === GrpcStatus.UNAVAILABLE || isRetryable(error)) this.#stats.connected = false;
    this.#stats.lastError = error.message;
  }

  /**
   * The ledgers the source has now (GetFlightInfo on `["stellar_ledgers"]`).
   *
   * @throws {FlightError} `UNAVAILABLE` naming the endpoint when the source cannot be reached.
   */
  async availableRange(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<
    LedgerRange
  > {
    try {
      const info = await this.#client.getFlightInfo(pathDescriptor(STELLAR_LEDGERS), {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.#connectTimeoutMs,
      });
      this.#ok();
      return sourceRangeOf(info);
    } catch (err) {
      const error = this.#wrap(err, "GetFlightInfo");
      this.#failed(error);
      throw error;
    }
  }

  /** Raw `get_status` JSON of the source. */
  async sourceStatus(options: { timeoutMs?: number } = {}): Promise<unknown> {
    for await (
      const body of this.#client.doAction("get_status", {
        timeoutMs: options.timeoutMs ?? this.#connectTimeoutMs,
      })
    ) return JSON.parse(new TextDecoder().decode(body));
    return null;
  }

  #wrap(err: unknown, what: string): FlightError {
    const error = toFlightError(err);
    if (error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.DEADLINE_EXCEEDED) {
      return FlightError.unavailable(
        `Source ${this.endpoint} unavailable (${what}): ${error.message}`,
        { cause: error },
      );
    }
    return new FlightError(error.code, `Source ${this.endpoint} (${what}): ${error.message}`, {
      cause: error,
    });
  }

  /**
   * Streams ledgers `start..end` (or from `start` on), one array per source record batch, in
   * sequence order without gaps or repeats, resuming after the source drops.
   *
   * @throws {FlightError} `UNAVAILABLE` when the source stays unreachable past the retry
   * budget, `DATA_LOSS` when the source skips a ledger, the source's own error otherwise (e.g.
   * `NOT_FOUND` for a range it does not have), `CANCELLED` when the signal aborts.
   */
  async *ledgers(request: LedgerStreamRequest): AsyncGenerator<UpstreamLedger[]> {
    const { end, signal } = request;
    let next = request.start;
    let received = false;
    // Start of the current outage: the first failure since the source last answered.
    let failingSince: number | undefined;
    let delay = this.#initialMs;
    while (end === undefined || next <= end) {
      signal?.throwIfAborted();
      const ticket = sourceTicket(next, end);
      const call = this.#client.doGet(ticket, { signal });
      // The schema arrives first, as soon as the source accepted the call: it is up again.
      call.schema.then(() => failingSince = undefined, () => {});
      this.#stats.activeStreams++;
      try {
        for await (const batch of call) {
          const rows = this.#rowsOf(batch, next, end);
          if (rows.length === 0) continue;
          this.#ok();
          next = rows[rows.length - 1].sequence + 1;
          received = true;
          failingSince = undefined;
          delay = this.#initialMs;
          yield rows;
          if (end !== undefined && next > end) return;
        }
        if (end !== undefined && next > end) return;
        throw new PrematureEnd(
          `Source ${this.endpoint} ended ${ticket} at ledger ${next - 1}, expected ${
            end ?? "to follow the tip"
          }`,
        );
      } catch (err) {
        if (signal?.aborted) {
          throw FlightError.cancelled(`Ledger stream from ${this.endpoint} cancelled`, {
            cause: err,
          });
        }
        const error = err instanceof PrematureEnd
          ? FlightError.unavailable(err.message)
          : this.#wrap(err, `DoGet ${ticket}`);
        if (!(err instanceof PrematureEnd) && !isRetryable(toFlightError(err))) {
          this.#stats.lastError = error.message;
          throw error;
        }
        this.#failed(error);
        const budget = received ? this.#retryTimeoutMs : this.#connectTimeoutMs;
        failingSince ??= Date.now();
        const waited = Date.now() - failingSince;
        if (waited >= budget) {
          throw FlightError.unavailable(
            `Source ${this.endpoint} unavailable for ${waited} ms (retry budget ${budget} ms) at ledger ${next}: ${error.message}`,
            { cause: error },
          );
        }
        log.warn("Source stream lost at ledger {next}; retrying in {delay} ms: {message}", {
          next,
          delay,
          message: error.message,
        });
        await sleep(Math.min(delay, Math.max(0, budget - waited)), signal).catch(() => {
          throw FlightError.cancelled(`Ledger stream from ${this.endpoint} cancelled`);
        });
        delay = Math.min(delay * 2, this.#maxMs);
        this.#stats.reconnects++;
      } finally {
        this.#stats.activeStreams--;
        call.cancel();
      }
    }
  }

  #rowsOf(batch: arrow.RecordBatch, next: number, end: number | undefined): UpstreamLedger[] {
    const out: UpstreamLedger[] = [];
    let expected = next;
    // Only the columns the processor uses; the XDR stays a view into the message.
    const sequences = column(batch, "sequence");
    const networkIds = column(batch, "network_id");
    const xdrs = column(batch, "ledger_xdr");
    for (let i = 0; i < batch.numRows; i++) {
      const sequence: number = sequences.get(i);
      if (sequence < expected) {
        this.#stats.duplicatesSkipped++;
        continue;
      }
      if (sequence > expected) {
        throw new FlightError(
          GrpcStatus.DATA_LOSS,
          `Source ${this.endpoint} skipped ledgers: expected ledger ${expected}, got ${sequence}`,
        );
      }
      if (end !== undefined && sequence > end) break;
      out.push({
        sequence,
        networkId: (networkIds.get(i) as Uint8Array).slice(),
        xdr: xdrs.get(i) as Uint8Array,
      });
      expected++;
    }
    return out;
  }

  /** Closes the channel; open streams are cancelled. */
  close(): void {
    this.#client.close();
  }
}
