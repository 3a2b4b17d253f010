/**
 * gRPC settings shared by every Flight server and client in this repository, in one place.
 *
 * Message sizes: batches are split so that each FlightData message stays near
 * {@linkcode TARGET_MESSAGE_BYTES} (2 MiB, like Arrow's own encoders). A single row larger than
 * that is still sent in one message, so both ends raise gRPC's 4 MiB default to
 * {@linkcode MAX_MESSAGE_BYTES}; a row whose message would exceed it fails with
 * `RESOURCE_EXHAUSTED` naming the sizes. Foreign clients that keep the 4 MiB default can read
 * every stream whose rows are below 4 MiB.
 *
 * @module
 */
import type { ChannelOptions } from "@grpc/grpc-js";

/** Split target for one FlightData message (header + body), in bytes: 2 MiB. */
export const TARGET_MESSAGE_BYTES: number = 2 * 1024 * 1024;

/** Largest gRPC message either end sends or accepts, in bytes: 64 MiB. */
export const MAX_MESSAGE_BYTES: number = 64 * 1024 * 1024;

/** Keepalive ping interval while calls are active, in milliseconds. */
export const KEEPALIVE_TIME_MS: number = 30_000;

/** How long to wait for a keepalive ping's answer before dropping the connection. */
export const KEEPALIVE_TIMEOUT_MS: number = 20_000;

/** Channel options for {@linkcode FlightClient}s. */
export const CLIENT_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
  "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
  // Ping only while a call is open: idle channels stay quiet.
  "grpc.keepalive_permit_without_calls": 0,
  // Each client gets its own connection; Flight streams are long and heavy.
  "grpc.use_local_subchannel_pool": 1,
});

/** Options for {@linkcode FlightServer}s. */
export const SERVER_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  // The server pings clients that hold a call open, so that vanished peers free their streams.
  "grpc.keepalive_time_ms": KEEPALIVE_TIME_MS,
  "grpc.keepalive_timeout_ms": KEEPALIVE_TIMEOUT_MS,
});
