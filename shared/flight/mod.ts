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
 * Backpressure: the server pulls the next batch only after the previous messages were accepted
 * by gRPC (write callbacks, `drain`), so a slow client holds a small, bounded window.
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
