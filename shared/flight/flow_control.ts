/**
 * HTTP/2 backpressure that works on Deno's `node:http2`.
 *
 * On Deno 2.7 (and 2.9) `node:http2` does not apply flow control to JavaScript: a server stream's
 * `write()` completes at once and queues the bytes in native memory however slowly the peer reads,
 * and a client stream keeps receiving (and acknowledging) data after `pause()`. Measured with a
 * raw `node:http2` pair in separate processes (64 KiB chunks, client reading ~0.7 MB/s): the
 * server queued 250 MB in 2 s, and a Deno client buffered 60 MB it had not read. Honouring
 * `write()`'s return value and `drain` (which the server also does) is therefore not enough.
 *
 * Two gates bound the memory instead, one per HTTP/2 connection:
 * - {@linkcode SendGate} (server): bytes handed to a connection minus the bytes its socket has
 *   written (`socket.bytesWritten`, which does follow the peer's TCP window) must stay below a
 *   budget per open stream; writers wait (polling every few milliseconds) until it does.
 * - {@linkcode ReceiveGate} (client): when a stream holds more unread bytes than a limit and no
 *   other stream of the connection is waiting for data, the connection's socket stops reading, so
 *   TCP pushes back on the server. Reading resumes as the consumer catches up, and briefly every
 *   few seconds so that control frames (settings, pings) are answered.
 *
 * Both reach into grpc-js and `node:http2` internals ({@linkcode findHttp2Stream}); when these are
 * not found the gates do nothing and streaming works without them.
 *
 * @module
 */
import { delay } from "../async/mod.ts";

/** The parts of a `node:http2` stream the gates use. */
export interface Http2StreamLike {
  readonly readableLength: number;
  readonly session?: Http2SessionLike | null;
}

/** The parts of a `node:http2` session the gates use. */
export interface Http2SessionLike {
  readonly socket?: { readonly bytesWritten?: number } | null;
}

interface PausableSocket {
  pause(): unknown;
  resume(): unknown;
}

const SEARCH_KEYS = ["call", "nextCall", "child", "underlyingCalls", "http2Stream", "stream"];

function isHttp2Stream(value: unknown): value is Http2StreamLike {
  return typeof value === "object" && value !== null && "session" in value &&
    "rstCode" in value &&
    typeof (value as { readableLength?: unknown }).readableLength === "number";
}

/**
 * Finds the `node:http2` stream under a grpc-js call object (server or client side) by following
 * the properties grpc-js uses to chain its call layers. Returns undefined when not (yet) found:
 * a client call gets its HTTP/2 stream only once connected.
 */
export function findHttp2Stream(call: object): Http2StreamLike | undefined {
  const queue: unknown[] = [call];
  const seen = new Set<unknown>();
  for (let steps = 0; queue.length > 0 && steps < 64; steps++) {
    const node = queue.shift();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (isHttp2Stream(node)) return node;
    if (Array.isArray(node)) {
      queue.push(...node);
      continue;
    }
    for (const key of SEARCH_KEYS) {
      const next = (node as Record<string, unknown>)[key];
      if (typeof next === "object" && next !== null) queue.push(next);
    }
  }
  return undefined;
}

interface SendSession {
  socket: { readonly bytesWritten?: number };
  base: number;
  queued: number;
  streams: number;
}

const sendSessions = new WeakMap<object, SendSession>();

/** How often a waiting writer re-checks the socket, in milliseconds. */
const SEND_POLL_MS = 3;

/**
 * Server-side gate for one stream: {@linkcode SendGate.wait} returns once the connection's unsent
 * bytes are within `budgetBytes` times the number of open gated streams on it.
 */
export class SendGate {
  readonly #session: SendSession;
  readonly #budget: number;
  #closed = false;

  private constructor(session: SendSession, budget: number) {
    this.#session = session;
    this.#budget = budget;
    session.streams++;
  }

  /** A gate for a grpc-js server call, or null when its socket cannot be observed. */
  static forCall(call: object, budgetBytes: number): SendGate | null {
    const stream = findHttp2Stream(call);
    const session = stream?.session;
    let socket: SendSession["socket"] | null | undefined;
    try {
      socket = session?.socket;
    } catch {
      socket = undefined;
    }
    if (!session || !socket || typeof socket.bytesWritten !== "number") return null;
    let state = sendSessions.get(session);
    if (!state) {
      state = { socket, base: socket.bytesWritten, queued: 0, streams: 0 };
      sendSessions.set(session, state);
    }
    return new SendGate(state, budgetBytes);
  }

  /**
   * Bytes handed to the connection and not yet written to its socket: an estimate that errs low.
   * The socket also writes HTTP/2 frame headers and other calls' bytes, which are not counted as
   * queued; whenever that makes the estimate negative (everything was written) it is re-based to
   * zero, so the error cannot pile up across drained periods.
   */
  get unsentBytes(): number {
    const s = this.#session;
    const unsent = s.base + s.queued - (s.socket.bytesWritten ?? 0);
    if (unsent >= 0) return unsent;
    s.base -= unsent;
    return 0;
  }

  /** Records a message of `bytes` handed to gRPC for writing (plus its 5-byte gRPC prefix). */
  wrote(bytes: number): void {
    this.#session.queued += bytes + 5;
  }

  /** Waits until the connection's unsent bytes are within budget. */
  async wait(signal: AbortSignal): Promise<void> {
    while (this.unsentBytes > this.#budget * Math.max(1, this.#session.streams)) {
      await delay(SEND_POLL_MS, signal);
    }
  }

  /** Releases this stream's share of the budget. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session.streams--;
  }
}

interface ReceiveStream {
  http2: Http2StreamLike;
  waiting: boolean;
}

interface ReceiveSession {
  socket: PausableSocket;
  streams: Set<ReceiveStream>;
  paused: boolean;
  pausedAt: number;
  breatheUntil: number;
  timer: number | undefined;
}

const receiveSessions = new WeakMap<object, ReceiveSession>();

/** How often paused connections are re-evaluated, in milliseconds. */
const RECEIVE_POLL_MS = 10;
/** A paused connection reads again at least this often (pings, settings)... */
const MAX_PAUSE_MS = 5_000;
/** ...for this long. */
const BREATHE_MS = 50;

function rawSocketOf(session: object): PausableSocket | undefined {
  // node:http2 keeps the real socket under a private symbol; `session.socket` is a proxy that
  // refuses pause()/resume().
  for (const sym of Object.getOwnPropertySymbols(session)) {
    if (sym.description !== "socket") continue;
    const s = (session as Record<symbol, unknown>)[sym];
    if (
      typeof s === "object" && s !== null &&
      typeof (s as PausableSocket).pause === "function" &&
      typeof (s as PausableSocket).resume === "function"
    ) return s as PausableSocket;
  }
  return undefined;
}

function evaluate(session: ReceiveSession, limit: number): void {
  const now = Date.now();
  if (session.paused && now - session.pausedAt >= MAX_PAUSE_MS) {
    // Read for a moment so that keepalive pings and settings are answered.
    session.paused = false;
    session.breatheUntil = now + BREATHE_MS;
    session.socket.resume();
    return;
  }
  if (now < session.breatheUntil) return;
  let over = false;
  let starving = false;
  for (const s of session.streams) {
    const buffered = s.http2.readableLength;
    if (buffered > limit) over = true;
    if (s.waiting && buffered === 0) starving = true;
  }
  const pause = over && !starving;
  if (pause && !session.paused) {
    session.paused = true;
    session.pausedAt = now;
    session.socket.pause();
  } else if (!pause && session.paused) {
    session.paused = false;
    session.socket.resume();
  }
}

/**
 * Client-side gate for one stream. Call {@linkcode ReceiveGate.waiting} around reads and
 * {@linkcode ReceiveGate.close} when the call ends.
 */
export class ReceiveGate {
  readonly #call: object;
  readonly #limit: number;
  #stream: ReceiveStream | undefined;
  #session: ReceiveSession | undefined;
  #closed = false;

  /** @param limit unread bytes a stream may hold before its connection stops reading. */
  constructor(call: object, limit: number) {
    this.#call = call;
    this.#limit = limit;
  }

  #attach(): void {
    if (this.#stream || this.#closed) return;
    const http2 = findHttp2Stream(this.#call);
    const session = http2?.session as object | undefined;
    if (!http2 || !session) return;
    const socket = rawSocketOf(session);
    if (!socket) return;
    let state = receiveSessions.get(session);
    if (!state) {
      state = {
        socket,
        streams: new Set(),
        paused: false,
        pausedAt: 0,
        breatheUntil: 0,
        timer: undefined,
      };
      receiveSessions.set(session, state);
    }
    this.#stream = { http2, waiting: false };
    this.#session = state;
    state.streams.add(this.#stream);
    if (state.timer === undefined) {
      const s = state;
      const limit = this.#limit;
      s.timer = setInterval(() => evaluate(s, limit), RECEIVE_POLL_MS);
      // Never keep the process alive just for this.
      if (typeof Deno !== "undefined") Deno.unrefTimer(s.timer);
    }
  }

  /** Marks whether the consumer is waiting for the next message, and re-evaluates. */
  waiting(waiting: boolean): void {
    this.#attach();
    if (!this.#stream || !this.#session) return;
    this.#stream.waiting = waiting;
    evaluate(this.#session, this.#limit);
  }

  /** Unregisters the stream; resumes the connection if nothing else holds it paused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const state = this.#session;
    if (!state || !this.#stream) return;
    state.streams.delete(this.#stream);
    if (state.streams.size === 0) {
      clearInterval(state.timer);
      state.timer = undefined;
      if (state.paused) {
        state.paused = false;
        state.socket.resume();
      }
    } else {
      evaluate(state, this.#limit);
    }
  }
}

/**
 * Closes a grpc-js client's HTTP/2 connections by destroying their sockets, without the GOAWAY
 * frame a graceful close sends. Deno 2.9.x servers may abort inside nghttp2 when they receive a
 * GOAWAY (denoland/deno#36788); a vanished TCP peer is handled like any dropped connection.
 * Returns the number of connections closed this way (0 when the internals were not found).
 */
export function destroyClientConnections(client: object): number {
  let n = 0;
  try {
    const channel = (client as { getChannel?: () => unknown }).getChannel?.();
    const internal = (channel as { internalChannel?: unknown } | undefined)?.internalChannel;
    const pool = (internal as { subchannelPool?: { pool?: Record<string, unknown[]> } })
      ?.subchannelPool?.pool;
    for (const entries of Object.values(pool ?? {})) {
      for (const entry of entries) {
        const sub = (entry as { subchannel?: unknown }).subchannel;
        const transport = (sub as { transport?: unknown } | undefined)?.transport;
        const session = (transport as { session?: unknown } | undefined)?.session;
        if (typeof session !== "object" || session === null) continue;
        const socket = rawSocketOf(session) as
          | (PausableSocket & { destroy?: () => void })
          | undefined;
        if (socket?.destroy) {
          socket.destroy();
          n++;
        }
      }
    }
  } catch {
    // Internals changed: fall back to the graceful close.
  }
  return n;
}
