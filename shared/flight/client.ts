/**
 * {@linkcode FlightClient}: an Arrow Flight client on @grpc/grpc-js.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import * as arrow from "apache-arrow";
import { Table } from "apache-arrow";
import { CLIENT_CHANNEL_OPTIONS, TARGET_MESSAGE_BYTES } from "./channel_options.ts";
import { FlightError, toFlightError } from "./errors.ts";
import type { DecodedFlightData } from "./flight_data_codec.ts";
import { destroyClientConnections, ReceiveGate } from "./flow_control.ts";
import { type FlightDataReader, readFlightData, schemaFromIpcBytes } from "./ipc.ts";
import type {
  PbAction,
  PbActionType,
  PbCriteria,
  PbFlightDescriptor,
  PbFlightInfo,
  PbHandshake,
  PbResult,
  PbSchemaResult,
  PbTicket,
  PbTimestamp,
} from "./proto.ts";
import { flightServiceDefinition } from "./proto.ts";
import type { FlightAction, FlightActionType, FlightDescriptor, FlightInfo } from "./types.ts";
import { descriptorToProto, flightInfoFromProto } from "./types.ts";

/** Options of {@linkcode FlightClient}. */
export interface FlightClientOptions {
  /** Channel credentials; default insecure (or TLS for `grpc+tls://` locations). */
  credentials?: grpc.ChannelCredentials;
  /** Extra grpc-js channel options, merged over {@linkcode CLIENT_CHANNEL_OPTIONS}. */
  channelOptions?: grpc.ChannelOptions;
  /**
   * Unread bytes a DoGet stream may hold before the connection stops reading from the network
   * (Deno's HTTP/2 client does not push back on its own; see `flow_control.ts`). Default 8 MiB.
   * Streams of one client share its connection: read parallel streams from separate clients.
   */
  receiveBufferBytes?: number;
  /**
   * {@linkcode FlightClient.close} drops the TCP connection instead of sending HTTP/2 GOAWAY
   * (default true). Servers on Deno 2.9.x can abort inside nghttp2 on a received GOAWAY
   * (denoland/deno#36788); measured with scripts/flight_stress.ts against Deno 2.9.6 servers
   * (fresh server per round, all scenarios): 4 of 15 servers aborted with GOAWAY, 0 of 15
   * without. close() cancels every open call first, so nothing is lost by skipping the goodbye.
   */
  closeWithoutGoaway?: boolean;
}

/** Options of every client call. */
export interface FlightCallOptions {
  /** Aborting cancels the gRPC call; the pending operation rejects with `CANCELLED`. */
  signal?: AbortSignal;
  /** Deadline relative to now, in milliseconds; the call fails with `DEADLINE_EXCEEDED`. */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** The server's answer to Handshake. */
export interface HandshakeResult {
  /** Protocol version the server echoed (decimal string, int64). */
  protocolVersion: string;
  /** The server's payload (e.g. a token); empty for anonymous servers. */
  payload: Uint8Array;
}

/** Counters of one DoGet stream. */
export interface DoGetStats {
  /** FlightData messages received. */
  messages: number;
  /** Encoded bytes received. */
  bytes: number;
  /** Largest FlightData message received, in bytes. */
  maxMessageBytes: number;
}

/** The result of PollFlightInfo. */
export interface PollInfo {
  /** The flight so far, if any. */
  info?: FlightInfo;
  /** Progress in [0, 1], when known. */
  progress?: number;
  /** When the poll descriptor expires. */
  expirationTime?: Date;
}

const DO_GET = "/arrow.flight.protocol.FlightService/DoGet";

function methodOf(name: string) {
  const m = flightServiceDefinition[name];
  if (!m) throw new Error(`FlightService has no method ${name}`);
  return m;
}

/**
 * Parses a Flight location: `host:port`, `grpc://host:port`, `grpc+tcp://host:port` or
 * `grpc+tls://host:port` (TLS).
 *
 * @throws {TypeError} naming the accepted forms for anything else.
 */
export function parseFlightLocation(location: string): { target: string; tls: boolean } {
  const m = /^(?:(grpc|grpc\+tcp|grpc\+tls):\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(
    location.trim(),
  );
  if (!m) {
    throw new TypeError(
      `Expected a Flight location like "host:port" or "grpc://host:port", got "${location}"`,
    );
  }
  return { target: `${m[2]}:${m[3]}`, tls: m[1] === "grpc+tls" };
}

function metadataOf(headers?: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers ?? {})) md.set(k, v);
  return md;
}

function callOptionsOf(opts?: FlightCallOptions): grpc.CallOptions {
  return opts?.timeoutMs !== undefined ? { deadline: Date.now() + opts.timeoutMs } : {};
}

function abortedError(signal: AbortSignal, what: string): FlightError {
  const reason = signal.reason;
  return FlightError.cancelled(
    `${what} cancelled by the caller${reason instanceof Error ? `: ${reason.message}` : ""}`,
    { cause: reason },
  );
}

/**
 * Reads a server stream as an async generator: errors become {@linkcode FlightError}s, an abort
 * cancels the call, and leaving the loop early cancels it too.
 */
async function* readCall<T>(
  call: grpc.ClientReadableStream<T>,
  what: string,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const onAbort = () => call.cancel();
  if (signal?.aborted) {
    call.cancel();
    throw abortedError(signal, what);
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  let completed = false;
  try {
    for await (const message of call) yield message as T;
    completed = true;
  } catch (err) {
    if (signal?.aborted) throw abortedError(signal, what);
    throw toFlightError(err);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!completed) call.cancel();
  }
}

/**
 * The record batches of one DoGet call. Iterate it once (`for await`); the schema is available
 * as soon as the first message arrived. Leaving the loop early, {@linkcode cancel}, or aborting
 * the call's signal cancels the gRPC call.
 */
export class FlightRecordBatchStream implements AsyncIterable<arrow.RecordBatch> {
  /** The stream's schema; rejects with the call's {@linkcode FlightError} if it fails first. */
  readonly schema: Promise<arrow.Schema>;
  readonly #call: grpc.ClientReadableStream<DecodedFlightData>;
  readonly #reader: Promise<FlightDataReader>;
  readonly #stats: DoGetStats = { messages: 0, bytes: 0, maxMessageBytes: 0 };
  readonly #gate: ReceiveGate;
  #iterated = false;
  #cancelled = false;
  readonly #metadataOf = new WeakMap<arrow.RecordBatch, Uint8Array>();

  /** @internal Use {@linkcode FlightClient.doGet}. */
  constructor(
    call: grpc.ClientReadableStream<DecodedFlightData>,
    options: { signal?: AbortSignal; receiveBufferBytes: number },
  ) {
    this.#call = call;
    const stats = this.#stats;
    const gate = new ReceiveGate(call, options.receiveBufferBytes);
    this.#gate = gate;
    async function* counted(): AsyncGenerator<DecodedFlightData> {
      const it = readCall(call, "DoGet", options.signal);
      try {
        while (true) {
          gate.waiting(true);
          const r = await it.next();
          gate.waiting(false);
          if (r.done) break;
          const m = r.value;
          stats.messages++;
          stats.bytes += m.encodedBytes;
          if (m.encodedBytes > stats.maxMessageBytes) stats.maxMessageBytes = m.encodedBytes;
          yield m;
        }
      } finally {
        gate.close();
        await it.return(undefined);
      }
    }
    const metadataOf = this.#metadataOf;
    this.#reader = readFlightData(counted(), {
      onRecordBatch: (batch, message) => {
        const metadata = (message as DecodedFlightData).appMetadata;
        if (metadata?.byteLength) metadataOf.set(batch, metadata);
      },
    }).catch((err) => {
      call.cancel();
      throw toFlightError(err);
    });
    this.schema = this.#reader.then((r) => r.schema);
    // Callers that never look at the schema must not see an unhandled rejection.
    this.schema.catch(() => {});
  }

  /**
   * The `app_metadata` the server sent with a batch of this stream (see `FlightBatch`), or
   * undefined. Batches split into several messages carry it on their last part.
   */
  appMetadataOf(batch: arrow.RecordBatch): Uint8Array | undefined {
    return this.#metadataOf.get(batch);
  }

  /** Counters so far (messages, bytes, largest message). */
  get stats(): DoGetStats {
    return { ...this.#stats };
  }

  /** Cancels the call; a pending or later read rejects with `CANCELLED`. */
  cancel(): void {
    this.#cancelled = true;
    this.#call.cancel();
    this.#gate.close();
  }

  /** Yields the record batches in order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<arrow.RecordBatch> {
    if (this.#iterated) throw new Error("A DoGet stream can be iterated only once");
    this.#iterated = true;
    const reader = await this.#reader;
    let completed = false;
    try {
      for await (const batch of reader) {
        // Batches already buffered are not handed out after cancel() or close().
        if (this.#cancelled) throw FlightError.cancelled("DoGet cancelled by the caller");
        yield batch;
      }
      if (this.#cancelled) throw FlightError.cancelled("DoGet cancelled by the caller");
      completed = true;
    } catch (err) {
      throw toFlightError(err);
    } finally {
      if (!completed) {
        this.cancel();
        await reader.return().catch(() => {});
      }
    }
  }

  /** Reads every batch into a table. */
  async readAll(): Promise<arrow.Table> {
    const batches: arrow.RecordBatch[] = [];
    for await (const b of this) batches.push(b);
    return new Table(await this.schema, batches);
  }
}

/**
 * An Arrow Flight client.
 *
 * @example
 * ```ts
 * import { FlightClient } from "./client.ts";
 *
 * const client = new FlightClient("127.0.0.1:8816");
 * const stream = client.doGet("ledgers:63092982:63093001");
 * for await (const batch of stream) console.log(batch.numRows);
 * client.close();
 * ```
 */
export class FlightClient {
  /** The `host:port` this client talks to. */
  readonly target: string;
  readonly #client: grpc.Client;
  readonly #receiveBufferBytes: number;
  readonly #active = new Set<{ cancel(): void }>();
  readonly #closeWithoutGoaway: boolean;

  /** @param location `host:port`, `grpc://host:port`, `grpc+tcp://...` or `grpc+tls://...`. */
  constructor(location: string, options: FlightClientOptions = {}) {
    const { target, tls } = parseFlightLocation(location);
    this.target = target;
    this.#receiveBufferBytes = options.receiveBufferBytes ?? 4 * TARGET_MESSAGE_BYTES;
    this.#closeWithoutGoaway = options.closeWithoutGoaway ?? true;
    const credentials = options.credentials ??
      (tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
    this.#client = new grpc.Client(target, credentials, {
      ...CLIENT_CHANNEL_OPTIONS,
      ...options.channelOptions,
    });
  }

  /**
   * Waits until the channel is connected.
   *
   * @throws {FlightError} `UNAVAILABLE` when not connected within `timeoutMs`.
   */
  waitForReady(timeoutMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (err) => {
        if (err) {
          reject(
            FlightError.unavailable(
              `Flight server ${this.target} not reachable within ${timeoutMs} ms: ${err.message}`,
              { cause: err },
            ),
          );
        } else resolve();
      });
    });
  }

  #unary<Req, Res>(name: string, request: Req, opts?: FlightCallOptions): Promise<Res> {
    const m = methodOf(name);
    return new Promise<Res>((resolve, reject) => {
      const signal = opts?.signal;
      if (signal?.aborted) return reject(abortedError(signal, name));
      const call = this.#client.makeUnaryRequest<Req, Res>(
        m.path,
        m.requestSerialize as (v: Req) => Buffer,
        m.responseDeserialize as (b: Buffer) => Res,
        request,
        metadataOf(opts?.headers),
        callOptionsOf(opts),
        (err, res) => {
          this.#active.delete(call);
          signal?.removeEventListener("abort", onAbort);
          if (err) reject(signal?.aborted ? abortedError(signal, name) : toFlightError(err));
          else resolve(res as Res);
        },
      );
      this.#active.add(call);
      const onAbort = () => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #stream<Req, Res>(name: string, request: Req, opts?: FlightCallOptions) {
    const m = methodOf(name);
    const call = this.#client.makeServerStreamRequest<Req, Res>(
      m.path,
      m.requestSerialize as (v: Req) => Buffer,
      m.responseDeserialize as (b: Buffer) => Res,
      request,
      metadataOf(opts?.headers),
      callOptionsOf(opts),
    );
    this.#track(call);
    return call;
  }

  #track(call: { cancel(): void; on(event: "status", f: () => void): unknown }): void {
    this.#active.add(call);
    call.on("status", () => this.#active.delete(call));
  }

  /** Handshake with no credentials; resolves with the server's first answer. */
  async handshake(
    options: FlightCallOptions & { protocolVersion?: number; payload?: Uint8Array } = {},
  ): Promise<HandshakeResult> {
    const m = methodOf("Handshake");
    const call = this.#client.makeBidiStreamRequest<PbHandshake, PbHandshake>(
      m.path,
      m.requestSerialize as (v: PbHandshake) => Buffer,
      m.responseDeserialize as (b: Buffer) => PbHandshake,
      metadataOf(options.headers),
      callOptionsOf(options),
    );
    this.#track(call);
    call.write({
      protocol_version: String(options.protocolVersion ?? 0),
      payload: options.payload ?? new Uint8Array(0),
    });
    call.end();
    let first: PbHandshake | undefined;
    for await (const res of readCall(call, "Handshake", options.signal)) {
      first ??= res;
    }
    if (!first) throw FlightError.internal(`Handshake with ${this.target}: no response`);
    return { protocolVersion: String(first.protocol_version), payload: first.payload };
  }

  /** ListFlights: the flights the server offers (optionally filtered by `criteria`). */
  async *listFlights(
    criteria: Uint8Array = new Uint8Array(0),
    options: FlightCallOptions = {},
  ): AsyncGenerator<FlightInfo> {
    const call = this.#stream<PbCriteria, PbFlightInfo>(
      "ListFlights",
      { expression: criteria },
      options,
    );
    for await (const pb of readCall(call, "ListFlights", options.signal)) {
      yield flightInfoFromProto(pb);
    }
  }

  /** GetFlightInfo for a descriptor. */
  async getFlightInfo(
    descriptor: FlightDescriptor,
    options: FlightCallOptions = {},
  ): Promise<FlightInfo> {
    const pb = await this.#unary<PbFlightDescriptor, PbFlightInfo>(
      "GetFlightInfo",
      descriptorToProto(descriptor),
      options,
    );
    return flightInfoFromProto(pb);
  }

  /** PollFlightInfo for a descriptor (most servers here answer `UNIMPLEMENTED`). */
  async pollFlightInfo(
    descriptor: FlightDescriptor,
    options: FlightCallOptions = {},
  ): Promise<PollInfo> {
    const pb = await this.#unary<
      PbFlightDescriptor,
      { info: PbFlightInfo | null; progress?: number; expiration_time: PbTimestamp | null }
    >("PollFlightInfo", descriptorToProto(descriptor), options);
    const out: PollInfo = {};
    if (pb.info) out.info = flightInfoFromProto(pb.info);
    if (typeof pb.progress === "number") out.progress = pb.progress;
    if (pb.expiration_time) {
      out.expirationTime = new Date(Number(pb.expiration_time.seconds) * 1000);
    }
    return out;
  }

  /** GetSchema for a descriptor. */
  async getSchema(
    descriptor: FlightDescriptor,
    options: FlightCallOptions = {},
  ): Promise<arrow.Schema> {
    const pb = await this.#unary<PbFlightDescriptor, PbSchemaResult>(
      "GetSchema",
      descriptorToProto(descriptor),
      options,
    );
    return schemaFromIpcBytes(pb.schema);
  }

  /**
   * DoGet: streams the record batches behind a ticket (strings are UTF-8 encoded). The call starts
   * immediately; errors surface when iterating or awaiting `schema`.
   */
  doGet(ticket: Uint8Array | string, options: FlightCallOptions = {}): FlightRecordBatchStream {
    const bytes = typeof ticket === "string" ? new TextEncoder().encode(ticket) : ticket;
    const call = this.#stream<PbTicket, DecodedFlightData>("DoGet", { ticket: bytes }, options);
    if (options.signal?.aborted) call.cancel();
    const stream = new FlightRecordBatchStream(call, {
      signal: options.signal,
      receiveBufferBytes: this.#receiveBufferBytes,
    });
    // close() cancels through the stream, which also releases its receive gate.
    this.#active.delete(call);
    this.#active.add(stream);
    call.on("status", () => this.#active.delete(stream));
    return stream;
  }

  /** DoAction: yields the result bodies of an action. */
  async *doAction(
    action: FlightAction | string,
    options: FlightCallOptions = {},
  ): AsyncGenerator<Uint8Array> {
    const a: PbAction = typeof action === "string"
      ? { type: action, body: new Uint8Array(0) }
      : { type: action.type, body: action.body };
    const call = this.#stream<PbAction, PbResult>("DoAction", a, options);
    for await (const r of readCall(call, `DoAction ${a.type}`, options.signal)) yield r.body;
  }

  /** ListActions: the actions the server offers. */
  async listActions(options: FlightCallOptions = {}): Promise<FlightActionType[]> {
    const call = this.#stream<Record<never, never>, PbActionType>("ListActions", {}, options);
    const out: FlightActionType[] = [];
    for await (const a of readCall(call, "ListActions", options.signal)) {
      out.push({ type: a.type, description: a.description });
    }
    return out;
  }

  /**
   * Cancels the calls still running (they fail with `CANCELLED`) and closes the channel. grpc-js
   * alone would let open calls continue after `close()`.
   */
  close(): void {
    for (const call of [...this.#active]) call.cancel();
    this.#active.clear();
    if (this.#closeWithoutGoaway) destroyClientConnections(this.#client);
    this.#client.close();
  }
}

/** The gRPC method path of DoGet, for foreign-client tests. */
export const DO_GET_PATH: string = DO_GET;
