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

/**
 * HTTP/2 receive window of every Flight client, in bytes: 4 MiB. Measured from a source
 * subprocess with 1 MB ledgers (median ledgers/s of 4 alternating trials): 64 KiB (grpc-js's
 * default) 53, 2 MiB 109, 4 MiB 118, 16 MiB 117.
 */
// Not 16 MiB, although one stream from the source is faster with it (228 -> 240 ledgers/s with
// WORKERS=1, 194 -> 236 with 2): with 16 MiB, components/pipeline/load_test.ts (8 Flight clients on
// the processor, whose upstream streams share one connection to the source) stalled for good in 6
// of 9 runs, 4 MiB in none of 8; TCP queues empty, the source's next ledgers decoded and unsent,
// also with the receive gate out of play. Not understood yet (HTTP/2 window accounting in Deno's
// node:http2 when streams end?).
export const CLIENT_FLOW_CONTROL_WINDOW: number = 4 * 1024 * 1024;

/** Largest gRPC message either end sends or accepts, in bytes: 64 MiB. */
export const MAX_MESSAGE_BYTES: number = 64 * 1024 * 1024;

/**
 * Channel options for {@linkcode FlightClient}s.
 *
 * No keepalive pings: on Deno 2.7.14 the acknowledgement of an HTTP/2 PING never reaches grpc-js,
 * so with `grpc.keepalive_time_ms` set (on either end) every connection is dropped after
 * `keepalive_time + keepalive_timeout`, failing long DoGets with `UNAVAILABLE: Connection dropped`
 * or `INTERNAL: Received RST_STREAM with code 0` (measured: 256 MiB streams at ~10 MiB/s failed
 * at ~50 s with 30 s + 20 s keepalive; with pings off three such streams in a row passed). Dead
 * peers are still noticed when their TCP connection closes (process exit, SIGKILL); a silent
 * network partition is not.
 */
export const CLIENT_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  // HTTP/2 receive window: grpc-js's default of 64 KiB makes the sender wait for a
  // WINDOW_UPDATE after every 64 KiB, capping ~1 MB ledgers at about 50/s over loopback; 4 MiB
  // keeps two 2 MiB messages in flight. Memory stays bounded by the window plus the receive
  // gate (flow_control.ts), which pauses the socket past 8 MiB unread per stream.
  "grpc-node.flow_control_window": CLIENT_FLOW_CONTROL_WINDOW,
  // Each client gets its own connection; Flight streams are long and heavy.
  "grpc.use_local_subchannel_pool": 1,
});

/** Options for {@linkcode FlightServer}s (no keepalive pings: see {@linkcode CLIENT_CHANNEL_OPTIONS}). */
export const SERVER_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
});
