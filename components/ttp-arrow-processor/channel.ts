/**
 * gRPC channel options the processor applies over shared/flight's defaults.
 *
 * Keepalive pings are off: on Deno's `node:http2`, `Http2Session.ping()` returns false, and
 * grpc-js treats a failed ping as a dead connection, so with `grpc.keepalive_time_ms` set (30 s in
 * shared/flight's channel options) every call still open after 30 s is dropped ("Connection
 * dropped", `UNAVAILABLE`): live tails and long ranges would break twice a minute. Vanished peers
 * on the same host still close their sockets; calls also end through cancellation.
 *
 * @module
 */
import type { ChannelOptions } from "@grpc/grpc-js";

/** Disables grpc-js keepalive pings (client and server). */
export const NO_KEEPALIVE: Readonly<ChannelOptions> = Object.freeze({
  "grpc.keepalive_time_ms": -1,
});
