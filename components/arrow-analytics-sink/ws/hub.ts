/**
 * Live WebSocket feed at `/ws`: every committed event as one JSON text message (the shared JSON
 * form of `ttp_event`), filtered per client. Filters come from the query string and from messages:
 *
 * - `{"type":"subscribe","filters":{"event_type":["transfer"],"min_amount":"1000"}}` replaces the
 *   filters and (re)starts delivery; answered by `{"type":"subscribed","filters":{...}}`;
 * - `{"type":"unsubscribe"}` stops delivery; answered by `{"type":"unsubscribed"}`;
 * - `{"type":"ping"}` is answered by `{"type":"pong","timestamp":"..."}`;
 * - anything else is answered by `{"type":"error","error":"..."}`.
 *
 * On connect the server sends `{"type":"subscribed","filters":{...}}` with the query-string
 * filters. Events never carry a `type` key, so clients can tell them from control messages.
 * A client whose unsent data (`bufferedAmount`) passes the limit is disconnected with close code
 * 1008 and a reason; publishing never waits for a client, so a slow client cannot slow the
 * pipeline or other clients.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { eventToJson, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { getLogger } from "../../../shared/log/mod.ts";
import {
  compileFilters,
  type EventFilters,
  type EventPredicate,
  FilterError,
  filtersFromJson,
  filtersFromParams,
  filtersToJson,
} from "../../../shared/ttp_stream/mod.ts";

const log = getLogger(["sink", "ws"]);

/** Events sent per slice of a publish before yielding to the event loop. */
export const WS_SLICE_EVENTS = 128;

/** Close code sent to a client that fell too far behind. */
export const SLOW_CLIENT_CLOSE_CODE = 1008;

/** Options of {@linkcode WsHub}. */
export interface WsHubOptions {
  /** Most simultaneous clients; further upgrades get 503. */
  maxConnections: number;
  /** Most bytes a client may have unsent before it is disconnected. */
  maxBufferedBytes: number;
  /** Called when the number of clients changes. */
  onConnections?: (count: number) => void;
  /** Called when a slow client is disconnected. */
  onSlowClient?: (buffered: number) => void;
  /** Called with the number of messages sent by each publish. */
  onSent?: (messages: number) => void;
}

interface Client {
  socket: WebSocket;
  filters: EventFilters;
  predicate: EventPredicate;
  subscribed: boolean;
  remote: string;
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Fans committed events out to WebSocket clients; see the module doc. */
export class WsHub {
  #clients = new Set<Client>();
  #options: WsHubOptions;
  #slowDisconnects = 0;
  #chain: Promise<void> = Promise.resolve();

  /** @param options limits and callbacks */
  constructor(options: WsHubOptions) {
    this.#options = options;
  }

  /** Number of connected clients. */
  get connections(): number {
    return this.#clients.size;
  }

  /** Clients disconnected for falling behind, since start. */
  get slowDisconnects(): number {
    return this.#slowDisconnects;
  }

  /**
   * Answers an HTTP request to `/ws`: upgrades it, or 400 (bad filters / not a WebSocket
   * request) or 503 (too many clients) with a JSON error.
   */
  handle(request: Request, remote = "unknown"): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonResponse(400, {
        error: "expected a WebSocket upgrade request (Upgrade: websocket)",
      });
    }
    let filters: EventFilters;
    try {
      filters = filtersFromParams(new URL(request.url).searchParams);
    } catch (error) {
      if (error instanceof FilterError) {
        return jsonResponse(400, { error: error.message, parameter: error.parameter });
      }
      throw error;
    }
    if (this.#clients.size >= this.#options.maxConnections) {
      return jsonResponse(503, {
        error: `too many WebSocket clients: the limit is ${this.#options.maxConnections}`,
      });
    }
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(request);
    } catch (error) {
      return jsonResponse(400, {
        error: `expected a valid WebSocket upgrade request: ${(error as Error).message}`,
      });
    }
    const { socket, response } = upgraded;
    const client: Client = {
      socket,
      filters,
      predicate: compileFilters(filters),
      subscribed: true,
      remote,
    };
    this.#clients.add(client);
    this.#options.onConnections?.(this.#clients.size);
    socket.onopen = () => {
      this.#sendControl(client, { type: "subscribed", filters: filtersToJson(filters) });
    };
    socket.onmessage = (event) => this.#onMessage(client, event.data);
    socket.onclose = () => this.#drop(client);
    socket.onerror = () => this.#drop(client);
    return response;
  }

  #drop(client: Client): void {
    if (this.#clients.delete(client)) this.#options.onConnections?.(this.#clients.size);
  }

  #sendControl(client: Client, message: Record<string, unknown>): void {
    if (client.socket.readyState !== WebSocket.OPEN) return;
    client.socket.send(JSON.stringify(message));
  }

  #onMessage(client: Client, data: unknown): void {
    let message: unknown;
    try {
      if (typeof data !== "string") throw new Error("expected a text message");
      message = JSON.parse(data);
    } catch {
      this.#sendControl(client, { type: "error", error: "expected a JSON text message" });
      return;
    }
    const type = typeof message === "object" && message !== null
      ? (message as Record<string, unknown>).type
      : undefined;
    switch (type) {
      case "ping":
        this.#sendControl(client, { type: "pong", timestamp: new Date().toISOString() });
        return;
      case "unsubscribe":
        client.subscribed = false;
        this.#sendControl(client, { type: "unsubscribed" });
        return;
      case "subscribe": {
        let filters: EventFilters;
        try {
          filters = filtersFromJson((message as Record<string, unknown>).filters);
        } catch (error) {
          if (error instanceof FilterError) {
            this.#sendControl(client, {
              type: "error",
              error: error.message,
              parameter: error.parameter,
            });
            return;
          }
          throw error;
        }
        client.filters = filters;
        client.predicate = compileFilters(filters);
        client.subscribed = true;
        this.#sendControl(client, { type: "subscribed", filters: filtersToJson(filters) });
        return;
      }
      default:
        this.#sendControl(client, {
          type: "error",
          error: `expected "type" to be subscribe, unsubscribe or ping, got ${
            JSON.stringify(type)
          }`,
        });
    }
  }

  /**
   * Queues events for every subscribed client whose filters match; resolves when they are handed
   * to the sockets. Publishes are delivered in call order. Events go out in slices of
   * {@linkcode WS_SLICE_EVENTS}, yielding to the event loop in between so sockets drain; a client
   * whose unsent bytes exceed the limit at the start of a slice is cut off, so its backlog is
   * bounded by the limit plus one slice and it never holds up the others.
   */
  publish(events: readonly TtpEvent[]): Promise<void> {
    if (events.length === 0) return this.#chain;
    this.#chain = this.#chain.then(() => this.#publish(events)).catch((error) => {
      log.error("WebSocket publish failed: {error}", { error: String(error) });
    });
    return this.#chain;
  }

  async #publish(events: readonly TtpEvent[]): Promise<void> {
    const limit = this.#options.maxBufferedBytes;
    for (let at = 0; at < events.length; at += WS_SLICE_EVENTS) {
      if (this.#clients.size === 0) return;
      if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const targets: Client[] = [];
      for (const client of this.#clients) {
        if (!client.subscribed || client.socket.readyState !== WebSocket.OPEN) continue;
        if (client.socket.bufferedAmount > limit) this.#cutOff(client);
        else targets.push(client);
      }
      if (targets.length === 0) continue;
      let sent = 0;
      const end = Math.min(events.length, at + WS_SLICE_EVENTS);
      for (let i = at; i < end; i++) {
        const e = events[i];
        let text: string | undefined;
        for (const client of targets) {
          if (!client.subscribed || !client.predicate(e)) continue;
          if (client.socket.readyState !== WebSocket.OPEN) continue;
          text ??= JSON.stringify(eventToJson(e));
          client.socket.send(text);
          sent++;
        }
      }
      this.#options.onSent?.(sent);
    }
  }

  #cutOff(client: Client): void {
    const buffered = client.socket.bufferedAmount;
    this.#slowDisconnects++;
    client.subscribed = false;
    log.warning("Disconnecting slow WebSocket client {remote}: {buffered} bytes unsent", {
      remote: client.remote,
      buffered,
    });
    this.#options.onSlowClient?.(buffered);
    this.#drop(client);
    try {
      client.socket.close(
        SLOW_CLIENT_CLOSE_CODE,
        `slow consumer: more than ${this.#options.maxBufferedBytes} bytes unsent`,
      );
    } catch {
      // already closing
    }
  }

  /** Closes every client and waits for a publish in progress to stop (shutdown). */
  async close(): Promise<void> {
    this.closeAll();
    await this.#chain;
  }

  /** Closes every client (shutdown). */
  closeAll(code = 1001, reason = "server shutting down"): void {
    for (const client of this.#clients) {
      try {
        client.socket.close(code, reason);
      } catch {
        // already closing
      }
    }
    this.#clients.clear();
    this.#options.onConnections?.(0);
  }
}
