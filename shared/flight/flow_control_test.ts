import assert from "node:assert/strict";
import { findHttp2Stream, ReceiveGate, SendGate } from "./flow_control.ts";

/** The shapes grpc-js and node:http2 present, reduced to what the gates read. */
function fakeStream(socket: object, readableLength = 0) {
  const session: Record<string | symbol, unknown> = { socket };
  session[Symbol("socket")] = socket;
  return { session, rstCode: undefined, readableLength };
}

Deno.test("findHttp2Stream follows grpc-js call layers (server and client shapes)", () => {
  const stream = fakeStream({ bytesWritten: 0 });
  const server = { call: { nextCall: { stream } } };
  assert.equal(findHttp2Stream(server), stream);
  const client = {
    call: {
      nextCall: { child: { underlyingCalls: [{ call: { child: { http2Stream: stream } } }] } },
    },
  };
  assert.equal(findHttp2Stream(client), stream);
  assert.equal(findHttp2Stream({ call: { nextCall: {} } }), undefined);
  const cyclic: Record<string, unknown> = {};
  cyclic.call = cyclic;
  assert.equal(findHttp2Stream(cyclic), undefined);
});

Deno.test("SendGate: unsent bytes, per-stream budget, re-basing, abort", async () => {
  const socket = { bytesWritten: 1000 };
  const call = { call: { nextCall: { stream: fakeStream(socket) } } };
  const a = SendGate.forCall(call, 100)!;
  const b = SendGate.forCall(call, 100)!; // same connection: budget 2 x 100
  a.wrote(150); // + 5-byte gRPC prefix
  assert.equal(a.unsentBytes, 155);
  await a.wait(new AbortController().signal); // 155 <= 200: no wait
  b.wrote(95);
  assert.equal(b.unsentBytes, 255);
  const waiting = a.wait(new AbortController().signal);
  setTimeout(() => (socket.bytesWritten += 100), 20);
  await waiting; // resolves once the socket wrote enough
  assert.equal(a.unsentBytes, 155);
  // Frame headers and other calls make the socket write more than was queued: re-base to 0.
  socket.bytesWritten += 400;
  assert.equal(a.unsentBytes, 0);
  a.wrote(10);
  assert.equal(a.unsentBytes, 15);
  b.close();
  a.wrote(200);
  const ac = new AbortController();
  const stuck = a.wait(ac.signal);
  ac.abort(new Error("client went away"));
  await assert.rejects(stuck, /client went away/);
  a.close();
  assert.equal(SendGate.forCall({ call: {} }, 100), null, "no socket found: no gate");
});

Deno.test("ReceiveGate pauses the socket when a stream holds too much, unless one starves", () => {
  const socket = {
    paused: false,
    pause() {
      this.paused = true;
    },
    resume() {
      this.paused = false;
    },
  };
  const s1 = fakeStream(socket);
  const s2 = { ...fakeStream(socket), session: s1.session };
  const g1 = new ReceiveGate({ http2Stream: s1 }, 1000);
  const g2 = new ReceiveGate({ http2Stream: s2 }, 1000);
  g1.waiting(false);
  g2.waiting(true);
  assert.equal(socket.paused, false);
  s1.readableLength = 5000; // s1 is not being read
  g1.waiting(false);
  assert.equal(socket.paused, false, "s2 waits for data: keep reading");
  g2.waiting(false);
  assert.equal(socket.paused, true);
  s1.readableLength = 10;
  g1.waiting(true);
  assert.equal(socket.paused, false);
  s1.readableLength = 5000;
  g1.waiting(false);
  assert.equal(socket.paused, true);
  g1.close(); // the stream holding data ends
  assert.equal(socket.paused, false);
  g2.close();
});
