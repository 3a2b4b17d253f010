/**
 * The Flight values handlers and clients work with (camelCase, Arrow schemas already decoded), and
 * their conversions to and from the proto messages.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { FlightError } from "./errors.ts";
import { schemaFromIpcBytes, schemaToIpcBytes } from "./ipc.ts";
import type { PbFlightDescriptor, PbFlightEndpoint, PbFlightInfo, PbTimestamp } from "./proto.ts";

/** Names a dataset: a path (e.g. `["ledgers", "63092982-63093001"]`) or an opaque command. */
export interface FlightDescriptor {
  /** `PATH` or `CMD` (`UNKNOWN` only when a peer sent no type). */
  type: "PATH" | "CMD" | "UNKNOWN";
  /** Path segments (for `PATH`). */
  path?: string[];
  /** Opaque command bytes (for `CMD`). */
  cmd?: Uint8Array;
}

/** One part of a flight: a ticket for DoGet, and where to redeem it. */
export interface FlightEndpoint {
  /** Opaque ticket bytes for DoGet. */
  ticket: Uint8Array;
  /** URIs such as `grpc+tcp://host:8816`; empty means "the server you asked". */
  locations?: string[];
  /** When the ticket stops being valid. */
  expirationTime?: Date;
  /** Application metadata. */
  appMetadata?: Uint8Array;
}

/** How to fetch a flight. */
export interface FlightInfo {
  /** The flight's Arrow schema. */
  schema: arrow.Schema;
  /** The descriptor asked for. */
  descriptor?: FlightDescriptor;
  /** Where the data is; read every endpoint to get the whole flight. */
  endpoints: FlightEndpoint[];
  /** Total rows, or -1 when unknown (the default). */
  totalRecords?: number;
  /** Total bytes, or -1 when unknown (the default). */
  totalBytes?: number;
  /** True when endpoints must be read in order. */
  ordered?: boolean;
  /** Application metadata. */
  appMetadata?: Uint8Array;
}

/** An action request. */
export interface FlightAction {
  /** Action name, e.g. `"status"`. */
  type: string;
  /** Opaque body (often JSON). */
  body: Uint8Array;
}

/** An action the server offers. */
export interface FlightActionType {
  /** Action name. */
  type: string;
  /** What it does. */
  description: string;
}

const EMPTY = new Uint8Array(0);
const textEncoder = new TextEncoder();

/** A `PATH` descriptor. */
export function pathDescriptor(...path: string[]): FlightDescriptor {
  return { type: "PATH", path };
}

/** A `CMD` descriptor; strings are UTF-8 encoded. */
export function cmdDescriptor(cmd: Uint8Array | string): FlightDescriptor {
  return { type: "CMD", cmd: typeof cmd === "string" ? textEncoder.encode(cmd) : cmd };
}

/** Renders a descriptor for messages: `PATH [a/b]`, `CMD "..."`. */
export function describeDescriptor(d: FlightDescriptor): string {
  if (d.type === "PATH") return `PATH [${(d.path ?? []).join("/")}]`;
  if (d.type === "CMD") return `CMD ${JSON.stringify(new TextDecoder().decode(d.cmd ?? EMPTY))}`;
  return "UNKNOWN descriptor";
}

/** Proto -> public descriptor. */
export function descriptorFromProto(pb: PbFlightDescriptor | null | undefined): FlightDescriptor {
  if (!pb) return { type: "UNKNOWN" };
  const type = pb.type === "PATH" || pb.type === "CMD" ? pb.type : "UNKNOWN";
  return { type, path: [...(pb.path ?? [])], cmd: pb.cmd ?? EMPTY };
}

/** Public -> proto descriptor. */
export function descriptorToProto(d: FlightDescriptor): PbFlightDescriptor {
  return { type: d.type, path: d.path ?? [], cmd: d.cmd ?? EMPTY };
}

function timestampToProto(date: Date): PbTimestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

function timestampFromProto(ts: PbTimestamp): Date {
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1_000_000));
}

function endpointToProto(e: FlightEndpoint): PbFlightEndpoint {
  return {
    ticket: { ticket: e.ticket },
    location: (e.locations ?? []).map((uri) => ({ uri })),
    expiration_time: e.expirationTime ? timestampToProto(e.expirationTime) : null,
    app_metadata: e.appMetadata ?? EMPTY,
  };
}

function endpointFromProto(pb: PbFlightEndpoint): FlightEndpoint {
  const e: FlightEndpoint = {
    ticket: pb.ticket?.ticket ?? EMPTY,
    locations: (pb.location ?? []).map((l) => l.uri),
  };
  if (pb.expiration_time) e.expirationTime = timestampFromProto(pb.expiration_time);
  if (pb.app_metadata?.byteLength) e.appMetadata = pb.app_metadata;
  return e;
}

/** Public -> proto FlightInfo (schema in encapsulated IPC form). */
export function flightInfoToProto(info: FlightInfo): PbFlightInfo {
  return {
    schema: schemaToIpcBytes(info.schema),
    flight_descriptor: info.descriptor ? descriptorToProto(info.descriptor) : null,
    endpoint: info.endpoints.map(endpointToProto),
    total_records: String(info.totalRecords ?? -1),
    total_bytes: String(info.totalBytes ?? -1),
    ordered: info.ordered ?? false,
    app_metadata: info.appMetadata ?? EMPTY,
  };
}

/**
 * Proto -> public FlightInfo.
 *
 * @throws {FlightError} `INTERNAL` when the schema bytes are not an IPC Schema message.
 */
export function flightInfoFromProto(pb: PbFlightInfo): FlightInfo {
  if (!pb.schema?.byteLength) throw FlightError.internal("FlightInfo carries no schema");
  const info: FlightInfo = {
    schema: schemaFromIpcBytes(pb.schema),
    endpoints: (pb.endpoint ?? []).map(endpointFromProto),
    totalRecords: Number(pb.total_records),
    totalBytes: Number(pb.total_bytes),
    ordered: pb.ordered,
  };
  if (pb.flight_descriptor) info.descriptor = descriptorFromProto(pb.flight_descriptor);
  if (pb.app_metadata?.byteLength) info.appMetadata = pb.app_metadata;
  return info;
}
