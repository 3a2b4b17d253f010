/**
 * {@linkcode FlightServer}: an Arrow Flight server on @grpc/grpc-js. Components plug in
 * {@linkcode FlightHandlers}; the server does the protocol: IPC framing, batch splitting,
 * backpressure, cancellation and status codes.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import * as grpc from "@grpc/grpc-js";
import type * as arrow from "apache-arrow";
import { getLogger } from "../log/mod.ts";
import { SERVER_CHANNEL_OPTIONS, TARGET_MESSAGE_BYTES } from "./channel_options.ts";
import { delay } from "../async/mod.ts";
import { FlightError, GrpcStatus, toFlightError } from "./errors.ts";
import { Buffer } from "node:buffer";
import { encodeFlightData, GRPC_PREFIX_BYTES } from "./flight_data_codec.ts";
import { SendGate } from "./flow_control.ts";
import { FlightDataEncoder } from "./ipc.ts";
import { schemaToIpcBytes } from "./ipc.ts";
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
} from "./proto.ts";
import { flightServiceDefinition } from "./proto.ts";
import type { FlightAction, FlightActionType, FlightDescriptor, FlightInfo } from "./types.ts";
import { describeDescriptor, descriptorFromProto, flightInfoToProto } from "./types.ts";

const log = getLogger(["flight", "server"]);

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** Values produced one by one, synchronously or not. */
export type ManyOf<T> = AsyncIterable<T> | Iterable<T>;

/** What every handler receives besides its request. */
export interface CallContext {
  /**
   * Aborted when the call ends early: the client cancelled, disconnected or its deadline passed,
   * or the server is shutting down. Pass it to upstream fetches, workers, timers.
   */
  signal: AbortSignal;
  /** The client's address, e.g. `ipv4:127.0.0.1:53122`. */
  peer: string;
  /** The request's gRPC metadata (headers). */
  metadata: grpc.Metadata;
}

/** What a `doGet` handler returns: the schema and the batches to stream. */
export interface FlightStream {
  /** Sent first, even when no batch follows. */
  schema: arrow.Schema;
  /**
   * The record batches, pulled one at a time as the client consumes them (backpressure). The
   * server calls `return()` on the iterator when the client goes away. Batches of any size are
   * fine: the server splits them into messages of about 2 MiB.
   */
  batches: ManyOf<arrow.RecordBatch | FlightBatch | EncodedFlightData>;
}

/**
 * One FlightData message encoded ahead of time with `encodeFlightDataFramed` (gRPC prefix
 * included), for example in a worker from record batches of the stream's schema passed through a
 * `FlightDataEncoder` of that schema: the server writes its bytes as they are, without copying
 * them, and they are byte for byte what the server would have sent for those batches. The producer
 * answers for the message matching the stream's schema; the server only checks the framing.
 */
export class EncodedFlightData {
  /** The gRPC-framed FlightData: 5-byte prefix, then the protobuf message. */
  readonly framed: Uint8Array;
  /**
   * Called once the transport is done with `framed` (gRPC's write callback), so that its buffer
   * can be reused; never called when the call ends before the write completes.
   */
  readonly onWritten?: () => void;

  /**
   * @throws {TypeError} when `framed` does not start with an uncompressed gRPC prefix whose length
   *   matches the bytes that follow.
   */
  constructor(framed: Uint8Array, options: { onWritten?: () => void } = {}) {
    const length = framed.byteLength >= GRPC_PREFIX_BYTES
      ? new DataView(framed.buffer, framed.byteOffset, GRPC_PREFIX_BYTES).getUint32(1)
      : -1;
    if (framed[0] !== 0 || length !== framed.byteLength - GRPC_PREFIX_BYTES) {
      throw new TypeError(
        `Expected a gRPC-framed FlightData (encodeFlightDataFramed): flag 0 and a length of ` +
          `${framed.byteLength - GRPC_PREFIX_BYTES} bytes, got ${framed.byteLength} bytes with ` +
          `flag ${framed[0]} and length ${length}`,
      );
    }
    this.framed = framed;
    this.onWritten = options.onWritten;
  }

  /** Size of the FlightData message without the gRPC prefix. */
  get byteLength(): number {
    return this.framed.byteLength - GRPC_PREFIX_BYTES;
  }
}

/** A grpc-js server call layer that frames messages (`BaseServerInterceptingCall`). */
interface MessageSerializer {
  serializeMessage(value: unknown): Buffer;
}

/**
 * Lets {@linkcode EncodedFlightData} written to a grpc-js server call go out without the copy
 * grpc-js makes to prepend its 5-byte prefix (the bytes already hold it); other messages are
 * serialized as before. Returns false when the call's internals were not found (messages are
 * then written unframed and grpc-js frames them).
 */
function passEncodedThrough(call: object): boolean {
  let node = (call as { call?: unknown }).call;
  for (let i = 0; i < 8 && typeof node === "object" && node !== null; i++) {
    const layer = node as Partial<MessageSerializer> & { nextCall?: unknown };
    if (typeof layer.serializeMessage === "function") {
      const serialize = layer.serializeMessage;
      layer.serializeMessage = function (this: unknown, value: unknown): Buffer {
        if (value instanceof EncodedFlightData) {
          const f = value.framed;
          return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
        }
        return serialize.call(this, value);
      };
      return true;
    }
    node = layer.nextCall;
  }
  return false;
}

/**
 * A record batch with application metadata for its FlightData message (`app_metadata`, e.g. a
 * watermark). The metadata goes on the last message of the batch; a batch with zero rows makes a
 * message of its own, so metadata can be sent without data. Clients read it back with
 * `FlightRecordBatchStream.appMetadataOf(batch)`.
 */
export interface FlightBatch {
  /** The rows (may be empty). */
  batch: arrow.RecordBatch;
  /** Bytes for the `app_metadata` field. */
  appMetadata: Uint8Array;
}

/**
 * The calls a component implements. Every one is optional: a missing handler answers
 * `UNIMPLEMENTED`. Throw a {@linkcode FlightError} to choose the status code (`NOT_FOUND`,
 * `INVALID_ARGUMENT`, `UNAVAILABLE`, ...); anything else becomes `INTERNAL` with its message.
 */
export interface FlightHandlers {
  /** ListFlights: the flights on offer; `criteria` is the client's opaque filter (often empty). */
  listFlights?(criteria: Uint8Array, ctx: CallContext): MaybePromise<ManyOf<FlightInfo>>;
  /** GetFlightInfo: how to fetch the flight named by a descriptor. */
  getFlightInfo?(descriptor: FlightDescriptor, ctx: CallContext): MaybePromise<FlightInfo>;
  /** GetSchema: the schema of a flight; defaults to `getFlightInfo(descriptor).schema`. */
  getSchema?(descriptor: FlightDescriptor, ctx: CallContext): MaybePromise<arrow.Schema>;
  /** DoGet: the stream behind a ticket (ticket bytes as the client sent them). */
  doGet?(ticket: Uint8Array, ctx: CallContext): MaybePromise<FlightStream>;
  /** DoAction: runs an action, producing zero or more result bodies. */
  doAction?(action: FlightAction, ctx: CallContext): MaybePromise<ManyOf<Uint8Array>>;
  /** ListActions: the actions `doAction` understands. */
  listActions?(ctx: CallContext): MaybePromise<ManyOf<FlightActionType>>;
}

/** Options of {@linkcode FlightServer}. */
export interface FlightServerOptions {
  /** Split record batches so each FlightData stays near this size. Default 2 MiB. */
  targetMessageBytes?: number;
  /** Largest FlightData message. Default {@linkcode MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /**
   * Messages handed to gRPC whose write has not completed yet, per stream, before the server stops
   * pulling batches from the handler. Default 2. Together with gRPC's own buffers and HTTP/2 flow
   * control this bounds the memory a slow client can hold.
   */
  maxPendingWrites?: number;
  /**
   * Bytes a DoGet stream may have handed to its connection beyond what the socket has written,
   * before the server stops pulling batches. Default 8 MiB (four messages). See `flow_control.ts`:
   * Deno's HTTP/2 server does not push back on its own.
   */
  sendBufferBytes?: number;
  /** Extra grpc-js server options, merged over {@linkcode SERVER_CHANNEL_OPTIONS}. */
  channelOptions?: grpc.ChannelOptions;
  /** Name used in log lines, e.g. `"source"`. */
  name?: string;
}

/** Counters of a {@linkcode FlightServer}, for metrics and tests. */
export interface FlightServerStats {
  /** DoGet streams currently open. */
  activeDoGets: number;
  /** DoGet calls started since the server was created. */
  doGetsStarted: number;
  /** DoGet calls that ended because the client went away. */
  doGetsCancelled: number;
  /** DoGet calls that ended with an error status. */
  doGetsFailed: number;
  /** FlightData messages sent. */
  messagesSent: number;
  /** FlightData bytes sent (protobuf encoded). */
  bytesSent: number;
  /** Largest FlightData message sent, in bytes. */
  maxMessageBytesSent: number;
}

/** Options of {@linkcode FlightServer.listen}. */
export interface ListenOptions {
  /** Interface to bind; default `0.0.0.0`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
}

type ServerStreamCall<Req> = grpc.ServerWritableStream<Req, unknown>;

function cancelledError(peer: string): FlightError {
  return FlightError.cancelled(`Client ${peer} cancelled the call or went away`);
}

/**
 * Streams writes to a grpc-js server stream with backpressure: waits for `drain` when `write()`
 * returns false, and keeps at most `maxPending` writes whose callback has not fired.
 */
/** How long a failing DoGet waits for its earlier batches to be written before the status. */
const ERROR_FLUSH_TIMEOUT_MS = 2_000;

/**
 * Pause between the last batch of a failing DoGet reaching the socket and its error status.
 * grpc-js clients discard messages they parsed but had not yet handed to the application when
 * a non-OK status arrives (grpc/grpc-node#2764, open; `maybeOutputStatus` in subchannel-call),
 * so a status in the same burst as the last batches loses them. C-core clients (Python) are
 * not affected.
 */
const ERROR_STATUS_GRACE_MS = 100;

class BackpressuredWriter {
  readonly #call: grpc.ServerWritableStream<unknown, unknown>;
  readonly #signal: AbortSignal;
  readonly #maxPending: number;
  #pending = 0;
  #wake: (() => void) | null = null;

  constructor(
    call: grpc.ServerWritableStream<unknown, unknown>,
    signal: AbortSignal,
    maxPending: number,
  ) {
    this.#call = call;
    this.#signal = signal;
    this.#maxPending = Math.max(1, maxPending);
  }

  /** Writes `message`; `onWritten` runs in the write's callback. */
  async write(message: unknown, onWritten?: () => void): Promise<void> {
    this.#signal.throwIfAborted();
    this.#pending++;
    const ok = this.#call.write(message, () => {
      this.#pending--;
      try {
        onWritten?.();
      } catch (err) {
        log.error("onWritten callback failed: {error}", { error: String(err) });
      }
      const wake = this.#wake;
      this.#wake = null;
      wake?.();
    });
    if (!ok) await this.#waitFor("drain");
    while (this.#pending >= this.#maxPending) await this.#waitCallback();
    // Let I/O and other calls run between messages even when writes complete synchronously.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  #waitFor(event: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.#signal;
      const done = () => {
        this.#call.off(event, done);
        signal.removeEventListener("abort", abort);
        resolve();
      };
      const abort = () => {
        this.#call.off(event, done);
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      this.#call.on(event, done);
      signal.addEventListener("abort", abort, { once: true });
    });
  }

  /**
   * Waits, at most `timeoutMs`, until every message written so far was handed to HTTP/2 and
   * (when the connection can be observed) written to the socket. Never throws.
   */
  async settled(gate: SendGate | null | undefined, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (
      (this.#pending > 0 || (gate?.unsentBytes ?? 0) > 0) && Date.now() < deadline &&
      !this.#signal.aborted
    ) {
      await delay(2, this.#signal).catch(() => {}); // an abort ends the wait
    }
  }

  #waitCallback(): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.#signal;
      if (signal.aborted) return reject(signal.reason);
      const abort = () => reject(signal.reason);
      signal.addEventListener("abort", abort, { once: true });
      this.#wake = () => {
        signal.removeEventListener("abort", abort);
        resolve();
      };
    });
  }
}

function iteratorOf<T>(many: ManyOf<T>): AsyncIterator<T> | Iterator<T> {
  if (many && typeof (many as AsyncIterable<T>)[Symbol.asyncIterator] === "function") {
    return (many as AsyncIterable<T>)[Symbol.asyncIterator]();
  }
  if (many && typeof (many as Iterable<T>)[Symbol.iterator] === "function") {
    return (many as Iterable<T>)[Symbol.iterator]();
  }
  throw FlightError.internal(`Handler returned ${typeof many}, expected an (async) iterable`);
}

/** Resolves `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    Promise.resolve(promise).then(
      (v) => {
        signal.removeEventListener("abort", abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", abort);
        reject(e);
      },
    );
  });
}

function closeIterator<T>(it: AsyncIterator<T> | Iterator<T>): void {
  try {
    const r = it.return?.();
    if (r && typeof (r as Promise<unknown>).then === "function") {
      (r as Promise<unknown>).catch((err) =>
        log.debug("Iterator return() failed after cancel: {error}", { error: String(err) })
      );
    }
  } catch (err) {
    log.debug("Iterator return() failed after cancel: {error}", { error: String(err) });
  }
}

/**
 * An Arrow Flight server. Implements Handshake (anonymous: echoes the protocol version with an
 * empty payload), ListFlights, GetFlightInfo, GetSchema, DoGet, DoAction and ListActions through
 * {@linkcode FlightHandlers}; DoPut, DoExchange and PollFlightInfo answer `UNIMPLEMENTED`.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { FlightServer } from "./server.ts";
 *
 * const table = arrow.tableFromArrays({ seq: Int32Array.from([1, 2, 3]) });
 * const server = new FlightServer({
 *   doGet: (_ticket, _ctx) => ({ schema: table.schema, batches: table.batches }),
 * });
 * const port = await server.listen({ host: "127.0.0.1", port: 0 });
 * // ...
 * await server.close();
 * ```
 */
export class FlightServer {
  readonly #handlers: FlightHandlers;
  readonly #options: FlightServerOptions;
  readonly #server: grpc.Server;
  readonly #shutdown = new AbortController();
  #port = 0;
  #host = "";
  readonly #stats: FlightServerStats = {
    activeDoGets: 0,
    doGetsStarted: 0,
    doGetsCancelled: 0,
    doGetsFailed: 0,
    messagesSent: 0,
    bytesSent: 0,
    maxMessageBytesSent: 0,
  };

  constructor(handlers: FlightHandlers, options: FlightServerOptions = {}) {
    this.#handlers = handlers;
    this.#options = options;
    this.#server = new grpc.Server({ ...SERVER_CHANNEL_OPTIONS, ...options.channelOptions });
    this.#server.addService(flightServiceDefinition, this.#implementation());
  }

  /** The bound port (0 before {@linkcode FlightServer.listen}). */
  get port(): number {
    return this.#port;
  }

  /** `host:port` the server listens on, for clients (`127.0.0.1` when bound to all interfaces). */
  get address(): string {
    const host = this.#host === "0.0.0.0" || this.#host === "::" ? "127.0.0.1" : this.#host;
    return `${host.includes(":") ? `[${host}]` : host}:${this.#port}`;
  }

  /** A copy of the server's counters. */
  stats(): FlightServerStats {
    return { ...this.#stats };
  }

  /**
   * Binds and starts serving (insecure credentials: run behind a private network or a TLS proxy).
   *
   * @returns the bound port (useful with port 0).
   * @throws {Error} naming the address when the port cannot be bound.
   */
  listen(options: ListenOptions = {}): Promise<number> {
    const host = options.host ?? "0.0.0.0";
    const port = options.port ?? 0;
    const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (err) {
          reject(
            new Error(`Flight server cannot listen on ${target}: ${err.message}`, { cause: err }),
          );
          return;
        }
        this.#host = host;
        this.#port = bound;
        log.info("Flight server {name} listening on {host}:{port}", {
          name: this.#options.name ?? "flight",
          host,
          port: bound,
        });
        resolve(bound);
      });
    });
  }

  /**
   * Stops the server: refuses new calls, aborts the signal of every running handler, waits up to
   * `graceMs` for calls to end, then closes the remaining connections.
   */
  close(graceMs = 2_000): Promise<void> {
    this.#shutdown.abort(FlightError.unavailable("Flight server is shutting down"));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, graceMs);
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #context(
    call: {
      getPeer(): string;
      metadata: grpc.Metadata;
      on(e: "cancelled", f: () => void): unknown;
    },
  ): {
    ctx: CallContext;
    controller: AbortController;
    dispose(): void;
  } {
    const controller = new AbortController();
    let peer = "unknown";
    try {
      peer = call.getPeer();
    } catch {
      // The peer may be gone already.
    }
    const onCancel = () => controller.abort(cancelledError(peer));
    const onShutdown = () => controller.abort(this.#shutdown.signal.reason);
    call.on("cancelled", onCancel);
    if (this.#shutdown.signal.aborted) onShutdown();
    else this.#shutdown.signal.addEventListener("abort", onShutdown, { once: true });
    return {
      ctx: { signal: controller.signal, peer, metadata: call.metadata },
      controller,
      dispose: () => {
        this.#shutdown.signal.removeEventListener("abort", onShutdown);
      },
    };
  }

  #fail(method: string, peer: string, err: unknown): grpc.ServiceError {
    const fe = toFlightError(err);
    if (fe.code === GrpcStatus.INTERNAL && !(err instanceof FlightError)) {
      log.error("{method} from {peer} failed: {error}", {
        method,
        peer,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    } else {
      log.debug("{method} from {peer} failed with {code}: {message}", {
        method,
        peer,
        code: fe.codeName,
        message: fe.message,
      });
    }
    const metadata = new grpc.Metadata();
    // GrpcStatus has grpc-js's numbers (errors_test.ts checks every one).
    const code = fe.code as number as grpc.status;
    return Object.assign(new Error(fe.message), { code, details: fe.message, metadata });
  }

  #unary<Req, Res>(
    method: string,
    run: (request: Req, ctx: CallContext) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const { ctx, dispose } = this.#context(call);
      run(call.request, ctx).then(
        (res) => callback(null, res),
        (err) => callback(this.#fail(method, ctx.peer, err)),
      ).finally(dispose);
    };
  }

  /** Runs a server-streaming call whose items are written one by one with backpressure. */
  #streaming<Req, Item>(
    method: string,
    produce: (request: Req, ctx: CallContext) => Promise<ManyOf<Item>>,
    toMessage: (item: Item) => unknown,
  ): grpc.handleServerStreamingCall<Req, unknown> {
    return (call: ServerStreamCall<Req>) => {
      const { ctx, dispose } = this.#context(call);
      const writer = new BackpressuredWriter(call, ctx.signal, this.#options.maxPendingWrites ?? 2);
      (async () => {
        const many = await raceAbort(produce(call.request, ctx), ctx.signal);
        const it = iteratorOf(many);
        let finished = false;
        try {
          while (true) {
            const r = await raceAbort(it.next(), ctx.signal);
            if (r.done) {
              finished = true;
              break;
            }
            await writer.write(toMessage(r.value));
          }
        } finally {
          if (!finished) closeIterator(it);
        }
      })().then(
        () => call.end(),
        (err) => {
          if (!ctx.signal.aborted || this.#shutdown.signal.aborted) {
            call.emit("error", this.#fail(method, ctx.peer, err));
          }
        },
      ).finally(dispose);
    };
  }

  #doGet(call: ServerStreamCall<PbTicket>): void {
    const { ctx, dispose } = this.#context(call);
    const stats = this.#stats;
    stats.activeDoGets++;
    stats.doGetsStarted++;
    const writer = new BackpressuredWriter(call, ctx.signal, this.#options.maxPendingWrites ?? 2);
    let gate: SendGate | null | undefined;
    let passThrough: boolean | undefined;
    const write = async (
      message: Buffer | EncodedFlightData,
      bytes: number,
      onWritten?: () => void,
    ) => {
      stats.messagesSent++;
      stats.bytesSent += bytes;
      if (bytes > stats.maxMessageBytesSent) stats.maxMessageBytesSent = bytes;
      await writer.write(message, onWritten);
      // The HTTP/2 stream exists once the first message went out.
      gate ??= SendGate.forCall(call, this.#options.sendBufferBytes ?? 4 * TARGET_MESSAGE_BYTES);
      gate?.wrote(bytes);
      await gate?.wait(ctx.signal);
    };
    const send = (frame: Parameters<typeof encodeFlightData>[0]) => {
      const bytes = encodeFlightData(frame);
      return write(bytes, bytes.byteLength);
    };
    const sendEncoded = (message: EncodedFlightData) => {
      passThrough ??= passEncodedThrough(call);
      if (passThrough) return write(message, message.byteLength, message.onWritten);
      const f = message.framed;
      const bytes = Buffer.from(f.buffer, f.byteOffset + GRPC_PREFIX_BYTES, message.byteLength);
      return write(bytes, bytes.byteLength, message.onWritten);
    };
    (async () => {
      const handler = this.#handlers.doGet;
      if (!handler) throw FlightError.unimplemented("DoGet is not implemented by this server");
      const ticket = call.request.ticket ?? new Uint8Array(0);
      const stream = await raceAbort(handler(ticket, ctx), ctx.signal);
      if (!stream?.schema || !stream.batches) {
        throw FlightError.internal("doGet handler returned no { schema, batches }");
      }
      // Made on the first record batch: a stream of pre-encoded messages never needs one.
      let encoder: FlightDataEncoder | undefined;
      const encoderOf = () =>
        encoder ??= new FlightDataEncoder(stream.schema, {
          targetMessageBytes: this.#options.targetMessageBytes,
          maxMessageBytes: this.#options.maxMessageBytes,
        });
      await send(FlightDataEncoder.schemaFrameOf(stream.schema));
      const it = iteratorOf(stream.batches);
      let finished = false;
      try {
        while (true) {
          const r = await raceAbort(it.next(), ctx.signal);
          if (r.done) {
            finished = true;
            break;
          }
          const item = r.value;
          if (item instanceof EncodedFlightData) {
            await sendEncoded(item);
          } else if (!("appMetadata" in item)) {
            for (const frame of encoderOf().encode(item)) await send(frame);
          } else {
            const frames = encoderOf().encode(item.batch);
            for (let i = 0; i < frames.length; i++) {
              const last = i === frames.length - 1;
              await send(last ? { ...frames[i], appMetadata: item.appMetadata } : frames[i]);
            }
          }
        }
      } finally {
        if (!finished) closeIterator(it);
      }
    })().then(
      () => call.end(),
      async (err) => {
        if (ctx.signal.aborted && !this.#shutdown.signal.aborted) {
          stats.doGetsCancelled++;
          log.debug("DoGet from {peer} cancelled", { peer: ctx.peer });
          return;
        }
        stats.doGetsFailed++;
        // Batches sent before the error must reach the client before the error status: wait
        // until they are written, then a grace period (see ERROR_STATUS_GRACE_MS; measured:
        // five small batches then an error, a grpc-js client received none of them without
        // it). `end()` on success waits for writes itself and OK statuses do not drop messages.
        if (!ctx.signal.aborted) { // nobody to deliver to when the call or server is closing
          await writer.settled(gate, ERROR_FLUSH_TIMEOUT_MS);
          await delay(ERROR_STATUS_GRACE_MS, ctx.signal).catch(() => {}); // an abort ends it
        }
        call.emit("error", this.#fail("DoGet", ctx.peer, err));
      },
    ).finally(() => {
      gate?.close();
      stats.activeDoGets--;
      dispose();
    });
  }

  #handshake(call: grpc.ServerDuplexStream<PbHandshake, PbHandshake>): void {
    call.on("data", (req: PbHandshake) => {
      // Anonymous: accept anyone, echo the protocol version, no token.
      call.write({ protocol_version: req.protocol_version ?? "0", payload: new Uint8Array(0) });
    });
    call.on("end", () => call.end());
    call.on("error", (err) => log.debug("Handshake stream error: {error}", { error: String(err) }));
  }

  #unimplemented(method: string): grpc.ServiceError {
    return this.#fail(
      method,
      "",
      FlightError.unimplemented(`${method} is not implemented by this Flight server`),
    );
  }

  #implementation(): grpc.UntypedServiceImplementation {
    const h = this.#handlers;
    const missing = (name: string): never => {
      throw FlightError.unimplemented(`${name} is not implemented by this server`);
    };
    return {
      Handshake: (call: grpc.ServerDuplexStream<PbHandshake, PbHandshake>) => this.#handshake(call),
      ListFlights: this.#streaming<PbCriteria, FlightInfo>(
        "ListFlights",
        async (req, ctx) =>
          h.listFlights ? await h.listFlights(req.expression, ctx) : missing("ListFlights"),
        (info) => flightInfoToProto(info),
      ),
      GetFlightInfo: this.#unary<PbFlightDescriptor, PbFlightInfo>(
        "GetFlightInfo",
        async (req, ctx) => {
          if (!h.getFlightInfo) return missing("GetFlightInfo");
          return flightInfoToProto(await h.getFlightInfo(descriptorFromProto(req), ctx));
        },
      ),
      PollFlightInfo: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
        callback(this.#unimplemented("PollFlightInfo")),
      GetSchema: this.#unary<PbFlightDescriptor, PbSchemaResult>("GetSchema", async (req, ctx) => {
        const descriptor = descriptorFromProto(req);
        let schema: arrow.Schema;
        if (h.getSchema) schema = await h.getSchema(descriptor, ctx);
        else if (h.getFlightInfo) schema = (await h.getFlightInfo(descriptor, ctx)).schema;
        else return missing("GetSchema");
        if (!schema) {
          throw FlightError.internal(`No schema for ${describeDescriptor(descriptor)}`);
        }
        return { schema: schemaToIpcBytes(schema) };
      }),
      DoGet: (call: ServerStreamCall<PbTicket>) => this.#doGet(call),
      DoPut: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        call.on("error", () => {});
        call.emit("error", this.#unimplemented("DoPut"));
      },
      DoExchange: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        call.on("error", () => {});
        call.emit("error", this.#unimplemented("DoExchange"));
      },
      DoAction: this.#streaming<PbAction, Uint8Array>(
        "DoAction",
        async (req, ctx) =>
          h.doAction
            ? await h.doAction({ type: req.type, body: req.body ?? new Uint8Array(0) }, ctx)
            : missing("DoAction"),
        (body): PbResult => ({ body }),
      ),
      ListActions: this.#streaming<unknown, FlightActionType>(
        "ListActions",
        async (_req, ctx) => h.listActions ? await h.listActions(ctx) : [],
        (a): PbActionType => ({ type: a.type, description: a.description }),
      ),
    };
  }
}
