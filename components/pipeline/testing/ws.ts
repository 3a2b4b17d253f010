/**
 * WebSocket subscribers of the sink's live feed for tests: count events by kind and id.
 *
 * @module
 */

/** A connected subscriber of `/ws`. */
export interface Subscriber {
  /** Events received per kind. */
  readonly byType: Record<string, number>;
  /** Event ids received, in arrival order. */
  readonly ids: string[];
  /** Control messages and errors received (non-event JSON). */
  readonly other: string[];
  /** Close code, once closed. */
  readonly closeCode: number | undefined;
  /** Closes the socket. */
  close(): void;
}

/**
 * Connects to `url` and resolves once the socket is open.
 *
 * @throws {Error} when it does not open within `timeoutMs`.
 */
export async function subscribe(url: string, timeoutMs = 10_000): Promise<Subscriber> {
  const socket = new WebSocket(url);
  const byType: Record<string, number> = {};
  const ids: string[] = [];
  const other: string[] = [];
  let closeCode: number | undefined;
  socket.onmessage = (m) => {
    const text = String(m.data);
    const msg = JSON.parse(text);
    if (typeof msg.event_id === "string") {
      ids.push(msg.event_id);
      byType[msg.event_type] = (byType[msg.event_type] ?? 0) + 1;
    } else other.push(text);
  };
  const opened = Promise.withResolvers<void>();
  const timer = setTimeout(
    () => opened.reject(new Error(`Expected ${url} to open within ${timeoutMs} ms`)),
    timeoutMs,
  );
  socket.onopen = () => opened.resolve();
  socket.onerror = () => opened.reject(new Error(`WebSocket ${url} failed to open`));
  socket.onclose = (e) => closeCode = e.code;
  try {
    await opened.promise;
  } finally {
    clearTimeout(timer);
  }
  return {
    byType,
    ids,
    other,
    get closeCode() {
      return closeCode;
    },
    close() {
      socket.close();
    },
  };
}
