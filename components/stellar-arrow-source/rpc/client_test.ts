import assert from "node:assert/strict";
import { SourceError } from "../errors.ts";
import { rpcLedgersOf, startRpcServer } from "../testing/rpc_server.ts";
import { RpcClient, RpcError } from "./client.ts";

const P19 = await rpcLedgersOf("testnet-p19");
const TESTNET = "Test SDF Network ; September 2015";
const FAST = { backoffMs: 1, attempts: 3, timeoutMs: 2000 };

Deno.test("getLedgers pages with cursors across many pages", async () => {
  const server = startRpcServer({ passphrase: TESTNET, ledgers: P19 });
  try {
    const client = new RpcClient({ url: server.url, ...FAST });
    const got: number[] = [];
    let pages = 0;
    for await (const page of client.ledgers({ start: 1410050, end: 1410300, pageLimit: 100 })) {
      pages++;
      for (const l of page) got.push(l.sequence);
    }
    assert.equal(pages, 3);
    assert.deepEqual(got, Array.from({ length: 251 }, (_, i) => 1410050 + i));
    assert.deepEqual(server.getLedgersParams.map((p) => JSON.stringify(p)), [
      `{"startLedger":1410050,"pagination":{"limit":100},"xdrFormat":"base64"}`,
      `{"pagination":{"cursor":"1410149","limit":100},"xdrFormat":"base64"}`,
      `{"pagination":{"cursor":"1410249","limit":51},"xdrFormat":"base64"}`,
    ]);
    const tip = await client.getLatestLedger();
    assert.equal(tip.sequence, 1410367);
    assert.equal((await client.getNetwork()).passphrase, TESTNET);
    const health = await client.getHealth();
    assert.equal(health.oldestLedger, 1410048);
  } finally {
    await server.close();
  }
});

Deno.test("paging stops at the tip; limit above 200 is refused locally", async () => {
  const server = startRpcServer({ passphrase: TESTNET, ledgers: P19, tip: 1410100 });
  try {
    const client = new RpcClient({ url: server.url, ...FAST });
    const got: number[] = [];
    for await (const page of client.ledgers({ start: 1410090, end: 1410200, pageLimit: 5 })) {
      got.push(...page.map((l) => l.sequence));
    }
    assert.equal(got.at(-1), 1410100);
    assert.equal(got.length, 11);
    await assert.rejects(() => client.getLedgers({ startLedger: 1, limit: 201 }), /1 to 200/);
    await assert.rejects(
      () => client.getLedgers({ startLedger: 5, limit: 10 }),
      (err: unknown) => {
        assert.ok(err instanceof RpcError);
        assert.equal(err.code, -32600);
        assert.match(err.message, /start must be between the oldest ledger: 1410048/);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("retries 503s and timeouts with backoff; gives up as unavailable", async () => {
  const flaky = startRpcServer({ passphrase: TESTNET, ledgers: P19, failFirst: 2 });
  try {
    const client = new RpcClient({ url: flaky.url, ...FAST });
    assert.equal((await client.getLatestLedger()).sequence, 1410367);
    assert.equal(flaky.calls.failed, 2);
  } finally {
    await flaky.close();
  }
  const slow = startRpcServer({ passphrase: TESTNET, ledgers: P19, slowFirst: 1, delayMs: 400 });
  try {
    const client = new RpcClient({ url: slow.url, ...FAST, timeoutMs: 100 });
    assert.equal((await client.getHealth()).latestLedger, 1410367);
  } finally {
    await slow.close();
  }
  const down = startRpcServer({ passphrase: TESTNET, ledgers: P19, failFirst: 100 });
  try {
    const client = new RpcClient({ url: down.url, ...FAST });
    await assert.rejects(() => client.getLatestLedger(), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, "unavailable");
      assert.match(err.message, /getLatestLedger failed after 3 attempts: HTTP 503/);
      return true;
    });
  } finally {
    await down.close();
  }
});
