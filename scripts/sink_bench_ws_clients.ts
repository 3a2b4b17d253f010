/**
 * Worker for scripts/sink_bench.ts: opens N WebSocket clients to the URL it is given and reports
 * when every client has received the expected number of events. Runs on its own thread so the
 * clients do not share the hub's event loop.
 *
 * @module
 */
interface Start {
  url: string;
  clients: number;
}

interface Expect {
  events: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Start | Expect>) => void) | null;
  postMessage: (m: unknown) => void;
};
const counts: number[] = [];
let expected = Infinity;
let done = false;

function check() {
  if (!done && counts.length > 0 && counts.every((c) => c >= expected)) {
    done = true;
    scope.postMessage({ type: "received", total: counts.reduce((a, b) => a + b, 0) });
  }
}

scope.onmessage = async (e) => {
  const m = e.data;
  if ("url" in m) {
    const sockets: WebSocket[] = [];
    for (let i = 0; i < m.clients; i++) {
      const ws = new WebSocket(m.url);
      counts.push(0);
      ws.onmessage = (msg) => {
        // Count event messages (no "type" key) without parsing every byte twice.
        if (!(msg.data as string).startsWith('{"type"')) {
          counts[i]++;
          if (counts[i] >= expected) check();
        }
      };
      sockets.push(ws);
      await new Promise((r) => (ws.onopen = r));
    }
    scope.postMessage({ type: "ready" });
  } else {
    expected = m.events;
    check();
  }
};
