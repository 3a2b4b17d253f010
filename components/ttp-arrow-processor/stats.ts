/**
 * The processor's counters: Prometheus metrics (shared/metrics; `snapshot()` gives the flat map
 * flowctl reports) and the `get_status` JSON.
 *
 * @module
 */
import { type Counter, type Gauge, type Histogram, Registry } from "../../shared/metrics/mod.ts";
import { TTP_EVENT_TYPES, type TtpEventType } from "../../shared/schema/ttp_event.ts";
import type { LedgerReport } from "./extract_task.ts";

/** What `get_status` returns. */
export interface ProcessorStatus {
  /** Component name. */
  component: string;
  /** Component version. */
  version: string;
  /** Seconds since the processor started. */
  uptime_seconds: number;
  /** TTP extraction mode (`TTP_MODE`). */
  mode: string;
  /** Whether every transaction is verified (`VERIFY_EVENTS`). */
  verify_events: boolean;
  /** Passphrase in use (configured or recognised from the ledgers); null before the first ledger. */
  network_passphrase: string | null;
  /** Extraction workers. */
  workers: number;
  /** Ledgers pulled from the source and extracted. */
  ledgers_consumed: number;
  /** Events extracted, before filtering. */
  events_extracted: number;
  /** Events extracted by kind, before filtering. */
  events_extracted_by_type: Record<TtpEventType, number>;
  /** Events removed by the streams' filters. */
  events_filtered: number;
  /** Events sent to clients. */
  events_emitted: number;
  /** Record batches sent to clients. */
  batches_generated: number;
  /** Highest ledger extracted; null before the first. */
  last_ledger: number | null;
  /** Transactions whose events did not match their balance changes. */
  verification_failures: number;
  /** DoGet streams open now. */
  active_streams: number;
  /** DoGet streams started. */
  streams_started: number;
  /** Streams that failed. */
  error_count: number;
  /** The source connection. */
  source: {
    /** `host:port` of the source. */
    endpoint: string;
    /** Whether the last call to the source succeeded. */
    connected: boolean;
    /** Streams from the source open now. */
    active_streams: number;
    /** Reconnections after a lost stream. */
    reconnects: number;
    /** Rows skipped as already handed out (after a resume). */
    duplicates_skipped: number;
    /** The last failure talking to the source. */
    last_error: string | null;
  };
}

/** Facts the stats do not own, read when a status is built. */
export interface StatusInputs {
  /** Component name. */
  component: string;
  /** Component version. */
  version: string;
  /** TTP extraction mode. */
  mode: string;
  /** Whether every transaction is verified. */
  verifyEvents: boolean;
  /** Extraction workers. */
  workers: number;
  /** The source client's state, read on demand. */
  source: () => {
    endpoint: string;
    connected: boolean;
    activeStreams: number;
    reconnects: number;
    duplicatesSkipped: number;
    lastError?: string;
  };
}

/** Metrics and status of one processor. */
export class ProcessorStats {
  /** The metrics registry (rendered at `/metrics`). */
  readonly registry: Registry;
  readonly #inputs: StatusInputs;
  readonly #startedAt = Date.now();
  readonly #ledgers: Counter;
  readonly #extracted: Counter;
  readonly #extractedByType: Counter;
  readonly #filtered: Counter;
  readonly #emitted: Counter;
  readonly #batches: Counter;
  readonly #latency: Histogram;
  readonly #extractMs: Histogram;
  readonly #last: Gauge;
  readonly #success: Counter;
  readonly #errors: Counter;
  readonly #verifyFailures: Counter;
  readonly #streamsStarted: Counter;
  #activeStreams = 0;
  #lastLedger: number | null = null;
  #passphrase: string | null = null;

  /** Creates the metrics in a new registry (prefix `ttp_processor_`). */
  constructor(inputs: StatusInputs) {
    this.#inputs = inputs;
    const r = new Registry({ prefix: "ttp_processor_" });
    this.registry = r;
    this.#ledgers = r.counter("ledgers_consumed", "Ledgers pulled from the source and extracted");
    this.#extracted = r.counter("events_extracted", "TTP events extracted, before filtering");
    this.#extractedByType = r.counter(
      "events_extracted_by_type",
      "TTP events extracted by kind, before filtering",
      ["event_type"],
    );
    this.#filtered = r.counter("events_filtered", "Events removed by a stream's filters");
    this.#emitted = r.counter("events_emitted", "Events sent to clients");
    this.#batches = r.counter("batches_generated", "Record batches sent to clients");
    this.#latency = r.histogram(
      "processing_latency_ms",
      "From a ledger run's arrival from the source to its events being ready to send",
    );
    this.#extractMs = r.histogram("extraction_ms", "Extraction time per ledger in a worker");
    this.#last = r.gauge("last_ledger_sequence", "Last ledger extracted");
    this.#success = r.counter("success_count", "Ledgers extracted without error");
    this.#errors = r.counter("error_count", "Streams that failed (source, extraction, network)");
    this.#verifyFailures = r.counter(
      "verification_failures",
      "Transactions whose events did not match their balance changes",
    );
    this.#streamsStarted = r.counter("streams_started", "DoGet streams started");
    r.gauge("active_streams", "DoGet streams open", { collect: () => this.#activeStreams });
    r.gauge("source_connected", "1 when the last call to the source succeeded", {
      collect: () => inputs.source().connected ? 1 : 0,
    });
    r.gauge("source_reconnects", "Reconnections to the source after a lost stream", {
      collect: () => inputs.source().reconnects,
    });
  }

  /** A stream opened. */
  streamStarted(): void {
    this.#activeStreams++;
    this.#streamsStarted.inc();
  }

  /** A stream closed. */
  streamEnded(): void {
    this.#activeStreams--;
  }

  /** A stream failed. */
  streamFailed(): void {
    this.#errors.inc();
  }

  /** The passphrase in use (from the ledgers or configuration). */
  setPassphrase(passphrase: string): void {
    this.#passphrase = passphrase;
  }

  /** Records one extraction task's ledgers and latency. */
  recordTask(ledgers: readonly LedgerReport[], latencyMs: number): void {
    this.#latency.observe(latencyMs);
    for (const l of ledgers) {
      this.#ledgers.inc();
      this.#success.inc();
      this.#extractMs.observe(l.durationMs);
      let total = 0;
      for (const type of TTP_EVENT_TYPES) {
        const n = l.extracted[type];
        total += n;
        if (n > 0) this.#extractedByType.inc(n, { event_type: type });
      }
      this.#extracted.inc(total);
      this.#filtered.inc(total - l.kept);
      this.#emitted.inc(l.kept);
      this.#verifyFailures.inc(l.verifyFailures.length);
      if (this.#lastLedger === null || l.sequence > this.#lastLedger) {
        this.#lastLedger = l.sequence;
        this.#last.set(l.sequence);
      }
    }
  }

  /** Records batches sent. */
  batchesSent(n: number): void {
    this.#batches.inc(n);
  }

  /** Streams currently open. */
  get activeStreams(): number {
    return this.#activeStreams;
  }

  /** The `get_status` JSON. */
  status(): ProcessorStatus {
    const byType = Object.fromEntries(
      TTP_EVENT_TYPES.map((t) => [t, this.#extractedByType.value({ event_type: t })]),
    ) as Record<TtpEventType, number>;
    const s = this.#inputs.source();
    return {
      component: this.#inputs.component,
      version: this.#inputs.version,
      uptime_seconds: Math.round((Date.now() - this.#startedAt) / 1000),
      mode: this.#inputs.mode,
      verify_events: this.#inputs.verifyEvents,
      network_passphrase: this.#passphrase,
      workers: this.#inputs.workers,
      ledgers_consumed: this.#ledgers.value(),
      events_extracted: this.#extracted.value(),
      events_extracted_by_type: byType,
      events_filtered: this.#filtered.value(),
      events_emitted: this.#emitted.value(),
      batches_generated: this.#batches.value(),
      last_ledger: this.#lastLedger,
      verification_failures: this.#verifyFailures.value(),
      active_streams: this.#activeStreams,
      streams_started: this.#streamsStarted.value(),
      error_count: this.#errors.value(),
      source: {
        endpoint: s.endpoint,
        connected: s.connected,
        active_streams: s.activeStreams,
        reconnects: s.reconnects,
        duplicates_skipped: s.duplicatesSkipped,
        last_error: s.lastError ?? null,
      },
    };
  }
}
