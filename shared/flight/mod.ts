/**
 * Arrow Flight over gRPC (@grpc/grpc-js), for every component: {@linkcode FlightServer} serves
 * Arrow record batches through handlers, {@linkcode FlightClient} reads them back.
 *
 * Wire format as Arrow's own implementations: `FlightData.data_header` is the IPC Message
 * flatbuffer (no continuation marker, no length prefix), `data_body` the uncompressed body; the
 * Schema message comes first (even with no batches), dictionary batches before the batches that
 * use them; `FlightInfo.schema` / `SchemaResult.schema` are encapsulated IPC. Record batches are
 * split by bytes so that each message stays near 2 MiB; gRPC's message limit is raised to 64 MiB
 * on both ends for single large rows (see `channel_options.ts`).
 *
 * Status codes: throw `FlightError.invalidArgument` for a malformed ticket, `notFound` for an
 * unknown path or range, `unavailable` when an upstream is down. When the client goes away the
 * handler's `ctx.signal` aborts and the server calls `return()` on its batch iterator. Anything
 * else a handler throws is sent as `INTERNAL` with its message.
 *
 * Handlers stream: `doGet` returns `{ schema, batches }` where `batches` is any (async) iterable
 * of record batches, pulled one at a time as the client consumes them. Batches whose schema differs
 * from `schema` only in dictionary ids (e.g. built separately with `tableFromArrays`) are
 * re-labelled; dictionaries are re-sent when a batch brings new ones. Heavy producers can encode
 * off the main thread: `encodeFlightDataFramed` (e.g. in a worker, from `FlightDataEncoder`
 * frames) gives the exact bytes the server would send, and an {@linkcode EncodedFlightData} among
 * the batches is written as is, without copying (its `onWritten` says when its buffer is free).
 *
 * Receiving: {@linkcode FlightRecordBatchStream} decodes each FlightData straight into a record
 * batch (`FlightDataDecoder` in `ipc.ts`); binary and utf8 values are views into the received
 * message (one copy in all: gRPC's reassembly of the HTTP/2 frames).
 *
 * Backpressure: Deno's `node:http2` does not apply HTTP/2 flow control to JavaScript (a server's
 * writes never wait, a client keeps receiving after `pause()`), so the server also waits until
 * the connection's socket has written all but a few MiB (`sendBufferBytes`), and the client
 * stops reading from its socket while a stream holds more than `receiveBufferBytes` unread (see
 * `flow_control.ts`). A slow consumer therefore pauses the producer within a bounded window.
 * One {@linkcode FlightClient} is one HTTP/2 connection: read independent parallel streams
 * through separate clients, since a paused connection pauses all of its streams.
 *
 * No keepalive pings on either end: on Deno 2.7.14 their acknowledgements get lost and the
 * connection is dropped mid-stream (see `channel_options.ts`).
 *
 * Cancellation: leaving a `for await` loop, `stream.cancel()`, an aborted `signal` or
 * `client.close()` cancel the call; the server then aborts `ctx.signal` and returns the iterator.
 *
 * @example Serve a table and read it back
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { FlightClient, FlightError, FlightServer } from "./mod.ts";
 *
 * const table = arrow.tableFromArrays({ seq: Int32Array.from([1, 2, 3]) });
 * const server = new FlightServer({
 *   doGet(ticket, ctx) {
 *     const name = new TextDecoder().decode(ticket);
 *     if (name !== "numbers") throw FlightError.notFound(`No flight named "${name}"`);
 *     return { schema: table.schema, batches: table.batches };
 *   },
 * });
 * const port = await server.listen({ host: "127.0.0.1", port: 0 });
 * const client = new FlightClient(`127.0.0.1:${port}`);
 * const result = await client.doGet("numbers").readAll();
 * console.log(result.getChild("seq")?.toArray()); // Int32Array [1, 2, 3]
 * client.close();
 * await server.close();
 * ```
 *
 * @example Errors and cancellation on the client
 * ```ts
 * import { FlightClient, GrpcStatus, isFlightError } from "./mod.ts";
 *
 * const client = new FlightClient("grpc://127.0.0.1:8816");
 * const ac = new AbortController();
 * try {
 *   const stream = client.doGet("ledgers:63092982:63093001", { signal: ac.signal });
 *   console.log(String(await stream.schema));
 *   for await (const batch of stream) console.log(batch.numRows);
 * } catch (err) {
 *   if (isFlightError(err, GrpcStatus.NOT_FOUND)) console.error("no such range:", err.message);
 *   else throw err;
 * } finally {
 *   client.close();
 * }
 * ```
 *
 * @module
 */
export {
  CLIENT_CHANNEL_OPTIONS,
  MAX_MESSAGE_BYTES,
  SERVER_CHANNEL_OPTIONS,
  TARGET_MESSAGE_BYTES,
} from "./channel_options.ts";
export {
  FlightError,
  type FlightErrorOptions,
  GrpcStatus,
  type GrpcStatusCode,
  isFlightError,
  toFlightError,
} from "./errors.ts";
export {
  type CallContext,
  EncodedFlightData,
  type FlightBatch,
  type FlightHandlers,
  FlightServer,
  type FlightServerOptions,
  type FlightServerStats,
  type FlightStream,
  type ListenOptions,
  type ManyOf,
  type MaybePromise,
} from "./server.ts";
export {
  DO_GET_PATH,
  type DoGetStats,
  type FlightCallOptions,
  FlightClient,
  type FlightClientOptions,
  FlightRecordBatchStream,
  type HandshakeResult,
  parseFlightLocation,
  type PollInfo,
} from "./client.ts";
export {
  cmdDescriptor,
  describeDescriptor,
  type FlightAction,
  type FlightActionType,
  type FlightDescriptor,
  type FlightEndpoint,
  type FlightInfo,
  pathDescriptor,
} from "./types.ts";
export {
  FlightDataEncoder,
  type FlightDataEncoderOptions,
  type IpcFrame,
  schemaFromIpcBytes,
  schemaToIpcBytes,
} from "./ipc.ts";
export { FLIGHT_PROTO_PATH } from "./proto.ts";
export { encodeFlightDataFramed, GRPC_PREFIX_BYTES } from "./flight_data_codec.ts";
