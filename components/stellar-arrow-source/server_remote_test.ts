// End-to-end tests with remote upstreams on loopback: a lake behind an S3-compatible HTTP server
// (going down mid-life) and Stellar RPC (paging across pages, following the tip, bad data).
import assert from "node:assert/strict";
import { FlightError, GrpcStatus, pathDescriptor } from "../../shared/flight/mod.ts";
import { recordBatchToLedgerRows } from "../../shared/schema/mod.ts";
import { copyLake, lakePath, ledgerFacts } from "./testing/fixtures.ts";
import { hex, readRows, readUntilError, startHarness } from "./testing/harness.ts";
import { rpcLedgersOf, startRpcServer } from "./testing/rpc_server.ts";
import { startS3Server } from "./testing/s3_server.ts";

const FACTS = await ledgerFacts();
const TESTNET = "Test SDF Network ; September 2015";

function assertFlightError(err: unknown, code: number, re: RegExp): void {
  assert.ok(err instanceof FlightError, `expected a FlightError, got ${err}`);
  assert.equal(err.code, code, `expected ${GrpcStatus[code]}, got ${err.codeName}: ${err.message}`);
  assert.match(err.message, re);
}

Deno.test("remote lake over S3 REST with SigV4; store down → UNAVAILABLE and unhealthy", async () => {
  const credentials = { accessKeyId: "AKSRC", secretAccessKey: "s3cret" };
  const s3 = startS3Server({ buckets: { lakes: lakePath(".") }, credentials });
  const env = {
    AWS_ACCESS_KEY_ID: "AKSRC",
    AWS_SECRET_ACCESS_KEY: "s3cret",
    AWS_REGION: "us-east-1",
  };
  const h = await startHarness(
    ["--datalake-url", "s3://lakes/testnet-p19", "--s3-endpoint-url", s3.url, "--workers", "1"],
    env,
  );
  try {
    const rows = await readRows(h.client, "stellar_ledgers:1410300:1410367");
    assert.equal(rows.length, 68);
    assert.equal(hex(rows[0].hash), FACTS.get(1410300)!.hash);
    assert.equal(
      rows[0].source_url,
      `${s3.url}/lakes/testnet-p19/FFEA7C7F--1409920-1410559/FFEA7B3F--1410240-1410303.xdr.zst`,
    );
    assert.equal(s3.stats.denied, 0);

    s3.setDown(true);
    const { error } = await readUntilError(h.client, "stellar_ledgers:1410048:1410100");
    assertFlightError(
      error,
      GrpcStatus.UNAVAILABLE,
      /store unreachable: GET .*testnet-p19.* failed after 2 attempts: HTTP 503/,
    );
    const res = await fetch(`http://127.0.0.1:${h.source.healthPort}/health`);
    const health = await res.json();
    assert.equal(res.status, 503);
    assert.equal(health.status, "unhealthy");
    assert.match(health.reasons[0], /store unreachable/);

    s3.setDown(false);
    // The background check recovers; the service serves again.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await readRows(h.client, "stellar_ledgers:1410048:1410049")).length, 2);
  } finally {
    await h.close();
    await s3.close();
  }
});

Deno.test("a store down at startup does not stop the service", async () => {
  const s3 = startS3Server({ buckets: { lakes: lakePath(".") } });
  s3.setDown(true);
  const h = await startHarness([
    "--datalake-url",
    `${s3.url}/lakes/pubnet-mixed`,
    "--workers",
    "1",
  ]);
  try {
    assert.equal(h.source.status.storeReachable, false);
    const { error } = await readUntilError(h.client, "stellar_ledgers:53312000:53312000");
    assertFlightError(error, GrpcStatus.UNAVAILABLE, /\.config\.json/);
    s3.setDown(false);
    const rows = await readRows(h.client, "stellar_ledgers:53312000:53312000");
    assert.equal(hex(rows[0].hash), FACTS.get(53312000)!.hash);
    assert.match(rows[0].source_url!, /FCD285FF--53312000\.xdr\.zstd$/);
  } finally {
    await h.close();
    await s3.close();
  }
});

Deno.test("RPC: pages across getLedgers calls, follows the tip, rejects bad data", async () => {
  const ledgers = await rpcLedgersOf("testnet-p19");
  const rpc = startRpcServer({ ledgers, passphrase: TESTNET, tip: 1410300 });
  const h = await startHarness([
    "--source-type",
    "rpc",
    "--rpc-url",
    rpc.url,
    "--rpc-page-limit",
    "40",
    "--workers",
    "2",
    "--poll-interval",
    "50ms",
  ]);
  try {
    const rows = await readRows(h.client, "stellar_ledgers:1410050:1410200");
    assert.deepEqual(
      rows.map((r) => r.sequence),
      Array.from({ length: 151 }, (_, i) => 1410050 + i),
    );
    for (const r of rows) {
      const f = FACTS.get(r.sequence)!;
      assert.equal(hex(r.hash), f.hash);
      assert.equal(r.transaction_count, f.txCount);
      assert.equal(r.source_type, "rpc");
      assert.equal(r.source_url, rpc.url);
    }
    assert.ok(rpc.calls.getLedgers >= 4, `expected ≥ 4 pages, got ${rpc.calls.getLedgers}`);
    const params = rpc.getLedgersParams.map((p) => JSON.stringify(p));
    assert.ok(
      params.includes(`{"pagination":{"cursor":"1410089","limit":40},"xdrFormat":"base64"}`),
    );

    const { error } = await readUntilError(h.client, "stellar_ledgers:1410290:1410320");
    assertFlightError(error, GrpcStatus.NOT_FOUND, /available range is 1410048-1410300/);

    // Follow: the tip moves while streaming.
    const controller = new AbortController();
    const seen: number[] = [];
    try {
      for await (
        const batch of h.client.doGet("stellar_ledgers:1410295:", { signal: controller.signal })
      ) {
        for (const r of recordBatchToLedgerRows(batch)) seen.push(r.sequence);
        if (seen.at(-1) === 1410300) rpc.setTip(1410310);
        if (seen.at(-1) === 1410310) controller.abort();
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    assert.deepEqual(seen, Array.from({ length: 16 }, (_, i) => 1410295 + i));
  } finally {
    await h.close();
    await rpc.close();
  }
});

Deno.test("RPC: metadataXdr that does not match its hash is DATA_LOSS naming the ledger", async () => {
  const ledgers = await rpcLedgersOf("testnet-p19");
  const other = ledgers.find((l) => l.sequence === 1410061)!;
  const rpc = startRpcServer({
    ledgers,
    passphrase: TESTNET,
    corrupt: { sequence: 1410060, metadataXdr: other.metadataXdr },
  });
  const h = await startHarness(["--source-type", "rpc", "--rpc-url", rpc.url, "--workers", "1"]);
  try {
    const { rows, error } = await readUntilError(h.client, "stellar_ledgers:1410050:1410070");
    assert.ok(rows.every((r) => r.sequence < 1410060));
    assertFlightError(error, GrpcStatus.DATA_LOSS, /ledger 1410060: .*1410061/);
  } finally {
    await h.close();
    await rpc.close();
  }
  const mismatch = startRpcServer({
    ledgers,
    passphrase: "Public Global Stellar Network ; September 2015",
  });
  try {
    await assert.rejects(
      () =>
        startHarness([
          "--source-type",
          "rpc",
          "--rpc-url",
          mismatch.url,
          "--network-passphrase",
          TESTNET,
        ]),
      /network passphrase mismatch.*getNetwork says "Public Global/,
    );
  } finally {
    await mismatch.close();
  }
});

Deno.test("a lake whose store refuses listings: ranges served by name, follow probes", async () => {
  const dir = await copyLake("pubnet-p26");
  const part = `${dir}/FC3E15FF--63040000-63103999`;
  const lastName = "FC3D46F6--63093001.xdr.zst";
  const last = await Deno.readFile(`${part}/${lastName}`);
  await Deno.remove(`${part}/${lastName}`);
  const s3 = startS3Server({ buckets: { lakes: dir.replace(/\/[^/]+$/, "") }, denyListing: true });
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  const h = await startHarness([
    "--datalake-url",
    `${s3.url}/lakes/${name}`,
    "--workers",
    "1",
    "--poll-interval",
    "50ms",
  ]);
  try {
    assert.equal(h.source.status.rangeUnknown, true);
    assert.equal(h.source.status.storeReachable, true);
    const rows = await readRows(h.client, "stellar_ledgers:63092985:63092990");
    assert.deepEqual(rows.map((r) => r.sequence), [
      63092985,
      63092986,
      63092987,
      63092988,
      63092989,
      63092990,
    ]);
    const { rows: before, error } = await readUntilError(
      h.client,
      "stellar_ledgers:63092980:63092983",
    );
    assert.equal(before.length, 0);
    assertFlightError(
      error,
      GrpcStatus.NOT_FOUND,
      /ledger 63092980: batch object .*FC3D470B--63092980\.xdr\.zst not found/,
    );
    const info = await h.client.getFlightInfo(pathDescriptor("stellar_ledgers"));
    assert.equal(info.totalRecords, -1);

    const controller = new AbortController();
    const seen: number[] = [];
    try {
      for await (
        const batch of h.client.doGet("stellar_ledgers:63092999:", { signal: controller.signal })
      ) {
        for (const r of recordBatchToLedgerRows(batch)) seen.push(r.sequence);
        if (seen.at(-1) === 63093000) await Deno.writeFile(`${part}/${lastName}`, last);
        if (seen.at(-1) === 63093001) controller.abort();
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
    assert.deepEqual(seen, [63092999, 63093000, 63093001]);
    assert.equal(s3.stats.denied, 0);
  } finally {
    await h.close();
    await s3.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a passphrase mismatch found after startup: FAILED_PRECONDITION and unhealthy", async () => {
  const s3 = startS3Server({ buckets: { lakes: lakePath(".") } });
  s3.setDown(true);
  const h = await startHarness([
    "--datalake-url",
    `${s3.url}/lakes/pubnet-p26`,
    "--network-passphrase",
    TESTNET,
    "--workers",
    "1",
  ]);
  try {
    s3.setDown(false);
    const { error } = await readUntilError(h.client, "stellar_ledgers:63092990:63092990");
    assertFlightError(
      error,
      GrpcStatus.FAILED_PRECONDITION,
      /network passphrase mismatch: configured "Test SDF Network ; September 2015"/,
    );
    const res = await fetch(`http://127.0.0.1:${h.source.healthPort}/health`);
    const health = await res.json();
    assert.equal(res.status, 503);
    assert.match(health.reasons[0], /configuration error: network passphrase mismatch/);
  } finally {
    await h.close();
    await s3.close();
  }
});
