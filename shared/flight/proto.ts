/**
 * Loads `proto/Flight.proto` with @grpc/proto-loader and exposes the `FlightService` definition
 * used by both {@linkcode FlightServer} and {@linkcode FlightClient}, plus the plain-object shapes
 * of its messages (field names as in the proto, int64 as decimal strings, bytes as `Buffer`).
 *
 * `DoGet` responses bypass protobufjs: the server sends FlightData it encoded itself
 * ({@linkcode encodeFlightData}) and the client decodes them without copying
 * ({@linkcode decodeFlightData}).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Buffer } from "node:buffer";
import * as protoLoader from "@grpc/proto-loader";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { assetUrl } from "../assets/mod.ts";
import { decodeFlightData } from "./flight_data_codec.ts";

/**
 * Absolute path of `proto/Flight.proto` (works from any cwd, and from a bundle: see
 * shared/assets).
 */
export const FLIGHT_PROTO_PATH: string = fileURLToPath(assetUrl("proto/Flight.proto"));

/** Full name of the service. */
export const FLIGHT_SERVICE_NAME = "arrow.flight.protocol.FlightService";

/** proto-loader options: proto field names, int64 as strings, enums as names, defaults filled. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** The loaded package definition (all messages and the service). */
export const flightPackageDefinition: protoLoader.PackageDefinition = protoLoader.loadSync(
  FLIGHT_PROTO_PATH,
  PROTO_LOADER_OPTIONS,
);

function buildServiceDefinition(): ServiceDefinition {
  const loaded = flightPackageDefinition[FLIGHT_SERVICE_NAME] as unknown as Record<
    string,
    protoLoader.MethodDefinition<object, object>
  >;
  if (!loaded?.DoGet) {
    throw new Error(`${FLIGHT_PROTO_PATH} does not define ${FLIGHT_SERVICE_NAME}.DoGet`);
  }
  const def: Record<string, protoLoader.MethodDefinition<object, object>> = {};
  for (const [name, method] of Object.entries(loaded)) def[name] = { ...method };
  def.DoGet = {
    ...def.DoGet,
    // The server writes FlightData already encoded by encodeFlightData().
    responseSerialize: (value: object) => value as Buffer,
    responseDeserialize: (bytes: Buffer) => decodeFlightData(bytes),
  };
  return def as unknown as ServiceDefinition;
}

/** The `FlightService` definition with hand-coded FlightData for `DoGet` responses. */
export const flightServiceDefinition: ServiceDefinition = buildServiceDefinition();

/** `google.protobuf.Timestamp` as loaded. */
export interface PbTimestamp {
  seconds: string;
  nanos: number;
}

/** `FlightDescriptor` as loaded. */
export interface PbFlightDescriptor {
  type: "UNKNOWN" | "PATH" | "CMD";
  cmd: Uint8Array;
  path: string[];
}

/** `FlightEndpoint` as loaded. */
export interface PbFlightEndpoint {
  ticket: { ticket: Uint8Array } | null;
  location: { uri: string }[];
  expiration_time: PbTimestamp | null;
  app_metadata: Uint8Array;
}

/** `FlightInfo` as loaded. */
export interface PbFlightInfo {
  schema: Uint8Array;
  flight_descriptor: PbFlightDescriptor | null;
  endpoint: PbFlightEndpoint[];
  total_records: string | number;
  total_bytes: string | number;
  ordered: boolean;
  app_metadata: Uint8Array;
}

/** `HandshakeRequest` / `HandshakeResponse` as loaded. */
export interface PbHandshake {
  protocol_version: string | number;
  payload: Uint8Array;
}

/** `Action` as loaded. */
export interface PbAction {
  type: string;
  body: Uint8Array;
}

/** `ActionType` as loaded. */
export interface PbActionType {
  type: string;
  description: string;
}

/** `Result` as loaded. */
export interface PbResult {
  body: Uint8Array;
}

/** `Ticket` as loaded. */
export interface PbTicket {
  ticket: Uint8Array;
}

/** `Criteria` as loaded. */
export interface PbCriteria {
  expression: Uint8Array;
}

/** `SchemaResult` as loaded. */
export interface PbSchemaResult {
  schema: Uint8Array;
}
