// End-to-end tests over real loopback servers: the source in-process (Flight + health on port 0,
// real decode workers), real Flight clients, real fixture lakes and corrupt copies in temp dirs.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cmdDescriptor, FlightError, GrpcStatus, pathDescriptor } from "../../shared/flight/mod.ts";
import { recordBatchToLedgerRows, type StellarLedgerRow } from "../../shared/schema/mod.ts";
import { copyLake, lakePath, LAKES, ledgerFacts } from "./testing/fixtures.ts";
import { hex, readRows, readUntilError, startHarness } from "./testing/harness.ts";

const FACTS = await ledgerFacts();
const PUBNET = "Public Global Stellar Network ; September 2015";
const P26 = lakePath("pubnet-p26");

function assertFlightError(err: unknown, code: number, re: RegExp): void {
  assert.ok(err instanceof FlightError, `expected a FlightError, got ${err}`);
  assert.equal(err.code, code, `expected ${GrpcStatus[code]}, got ${err.codeName}: ${err.message}`);
  assert.match(err.message, re);
}

Deno.test("every fixture ledger of all four lakes is served with the facts of ledgers.json", async () => {
  let checked = 0;
  for (const lake of LAKES) {
    const h = await startHarness(["--datalake-url", lakePath(lake), "--workers", "2"]);
    try {
      const range = h.source.status.availableRange!;
      const expected = [...FACTS.values()].filter((f) =>
        f.seq >= range.start && f.seq <= range.end
      );
      // One request per contiguous run (pubnet-mixed holds two ledgers far apart).
      const rows: StellarLedgerRow[] = [];
      for (let i = 0; i < expected.length;) {
        let j = i;
        while (j + 1 < expected.length && expected[j + 1].seq === expected[j].seq + 1) j++;
        rows.push(
          ...await readRows(h.client, `stellar_ledgers:${expected[i].seq}:${expected[j].seq}`),
        );
        i = j + 1;
      }
      assert.deepEqual(rows.map((r) => r.sequence), expected.map((f) => f.seq), lake);
      for (const [i, f] of expected.entries()) {
        const r = rows[i];
        assert.equal(hex(r.hash), f.hash, `${lake} ${f.seq} hash`);
        assert.equal(r.close_time, f.closeTime * 1000, `${lake} ${f.seq} close_time`);
        assert.equal(r.protocol_version, f.protocol, `${lake} ${f.seq} protocol`);
        assert.equal(r.transaction_count, f.txCount, `${lake} ${f.seq} txCount`);
        assert.equal(r.successful_transaction_count, f.txOk, `${lake} ${f.seq} txOk`);
        assert.equal(r.failed_transaction_count, f.txFailed, `${lake} ${f.seq} txFailed`);
        assert.equal(r.operation_count, f.opCountInTxSet, `${lake} ${f.seq} ops`);
        assert.equal(r.source_type, "datalake");
        assert.ok(r.source_url?.includes(lake));
        const passphrase = f.network === "pubnet" ? PUBNET : "Test SDF Network ; September 2015";
        assert.equal(hex(r.network_id), createHash("sha256").update(passphrase).digest("hex"));
        checked++;
      }
      // previous_hash chains within contiguous runs.
      for (let i = 1; i < rows.length; i++) {
        if (rows[i].sequence === rows[i - 1].sequence + 1) {
          assert.deepEqual(rows[i].previous_hash, rows[i - 1].hash);
        }
      }
    } finally {
      await h.close();
    }
  }
  assert.equal(checked, FACTS.size);
});

Deno.test("ranges return exactly their ledgers; FlightInfo, schema, list, status", async () => {
  const h = await startHarness(["--datalake-url", lakePath("testnet-p19"), "--workers", "2"]);
  try {
    // Mid-batch start and end, across three 64-ledger batches.
    const rows = await readRows(h.client, "stellar_ledgers:1410100:1410250");
    assert.deepEqual(
      rows.map((r) => r.sequence),
      Array.from({ length: 151 }, (_, i) => 1410100 + i),
    );
    const one = await readRows(h.client, "stellar_ledgers:1410367:1410367");
    assert.deepEqual(one.map((r) => r.sequence), [1410367]);

    const info = await h.client.getFlightInfo(pathDescriptor("stellar_ledgers"));
    assert.equal(info.totalRecords, 320);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(info.appMetadata)), {
      first_ledger: 1410048,
      last_ledger: 1410367,
      source_type: "datalake",
      network_passphrase: "Test SDF Network ; September 2015",
    });
    assert.equal(
      new TextDecoder().decode(info.endpoints[0].ticket),
      "stellar_ledgers:1410048:1410367",
    );
    assert.deepEqual(info.schema.fields.map((f) => f.name).slice(0, 3), [
      "sequence",
      "hash",
      "previous_hash",
    ]);
    const cmdInfo = await h.client.getFlightInfo(cmdDescriptor("stellar_ledgers:1410100:1410200"));
    assert.equal(cmdInfo.totalRecords, 101);
    await assert.rejects(
      () => h.client.getFlightInfo(cmdDescriptor("stellar_ledgers:1410000:1410100")),
      (err: unknown) => (assertFlightError(err, GrpcStatus.NOT_FOUND, /1410048-1410367/), true),
    );
    await assert.rejects(
      () => h.client.getFlightInfo(cmdDescriptor("stellar_ledgers:abc")),
      (err: unknown) => (assertFlightError(err, GrpcStatus.INVALID_ARGUMENT, /malformed/), true),
    );
    const schema = await h.client.getSchema(pathDescriptor("stellar_ledgers"));
    assert.equal(schema.fields.length, 20);
    const flights = [];
    for await (const f of h.client.listFlights()) flights.push(f);
    assert.equal(flights.length, 1);
    assert.equal(flights[0].totalRecords, 320);

    const results = [];
    for await (const r of h.client.doAction({ type: "get_status", body: new Uint8Array() })) {
      results.push(JSON.parse(new TextDecoder().decode(r)));
    }
    const status = results[0];
    assert.deepEqual(status.available_range, { start: 1410048, end: 1410367 });
    assert.equal(status.source_type, "datalake");
    assert.equal(status.ledgers_served, 152);
    assert.equal(status.last_sequence, 1410367);
    assert.equal(status.last_error, null);

    const health = await (await fetch(`http://127.0.0.1:${h.source.healthPort}/health`)).json();
    assert.equal(health.status, "healthy");
    assert.equal(health.component, "stellar-arrow-source");
    assert.equal(health.last_sequence, 1410367);
    const metrics = await (await fetch(`http://127.0.0.1:${h.source.healthPort}/metrics`)).text();
    for (
      const name of [
        "ledgers_processed",
        "total_bytes",
        "last_sequence",
        "processing_latency_ms",
        "success_count",
        "error_count",
      ]
    ) {
      assert.match(metrics, new RegExp(name));
    }
    assert.equal(h.source.metrics.ledgersProcessed.value(), 152);
  } finally {
    await h.close();
  }
});

Deno.test("malformed tickets are INVALID_ARGUMENT; ranges not held are NOT_FOUND with the range", async () => {
  const h = await startHarness(["--datalake-url", P26, "--workers", "1"]);
  try {
    for (
      const t of ["nonsense", "stellar_ledgers:5", "stellar_ledgers:9:3", "stellar_ledgers:x:"]
    ) {
      const { error } = await readUntilError(h.client, t);
      assertFlightError(error, GrpcStatus.INVALID_ARGUMENT, /malformed ticket/);
    }
    const { error } = await readUntilError(h.client, "stellar_ledgers:63092980:63092990");
    assertFlightError(
      error,
      GrpcStatus.NOT_FOUND,
      /ledgers 63092980-63092990 not held: available range is 63092982-63093001/,
    );
    const { error: e2 } = await readUntilError(h.client, "stellar_ledgers:1:");
    assertFlightError(e2, GrpcStatus.NOT_FOUND, /available range is 63092982-63093001/);
    await assert.rejects(
      () => h.client.getFlightInfo(pathDescriptor("other")),
      (err: unknown) => (assertFlightError(err, GrpcStatus.NOT_FOUND, /unknown flight path/), true),
    );
    // The service still serves.
    assert.equal((await readRows(h.client, "stellar_ledgers:63092990:63092991")).length, 2);
  } finally {
    await h.close();
  }
});

Deno.test("corrupt zstd, truncated XDR and a missing batch: right codes, ledger and object named, others still served", async () => {
  const dir = await copyLake("pubnet-p26");
  const part = `${dir}/FC3E15FF--63040000-63103999`;
  try {
    // 63092985: garbage instead of zstd; 63092990: valid zstd of truncated XDR; 63092995: gone.
    const zstd = await import("node:zlib");
    await Deno.writeFile(
      `${part}/FC3D4706--63092985.xdr.zst`,
      new TextEncoder().encode("not zstd at all"),
    );
    const raw = zstd.zstdDecompressSync(await Deno.readFile(`${part}/FC3D4701--63092990.xdr.zst`));
    await Deno.writeFile(
      `${part}/FC3D4701--63092990.xdr.zst`,
      zstd.zstdCompressSync(raw.subarray(0, raw.length >> 1)),
    );
    await Deno.remove(`${part}/FC3D46FC--63092995.xdr.zst`);
    // 63093001: one byte of the LedgerHeader changed, so its sha256 no longer matches the hash
    // stored in the meta (batch header 12, LCM tag 4, v2 ext 4, stored hash 32, ledgerVersion 4).
    const last = `${part}/FC3D46F6--63093001.xdr.zst`;
    const tampered = zstd.zstdDecompressSync(await Deno.readFile(last)).slice();
    tampered[12 + 4 + 4 + 32 + 4 + 10] ^= 0x01; // inside header.previousLedgerHash
    await Deno.writeFile(last, zstd.zstdCompressSync(tampered));
    const h = await startHarness(["--datalake-url", dir, "--workers", "2"]);
    try {
      const good = readUntilError(h.client, "stellar_ledgers:63092996:63093000"); // concurrently
      const a = await readUntilError(h.client, "stellar_ledgers:63092982:63092989");
      assert.deepEqual(a.rows.map((r) => r.sequence), [63092982, 63092983, 63092984]);
      assertFlightError(
        a.error,
        GrpcStatus.DATA_LOSS,
        /ledgers 63092985-63092985: .*FC3D4706--63092985\.xdr\.zst: zstd decompression failed/,
      );
      const b = await readUntilError(h.client, "stellar_ledgers:63092986:63092994");
      assert.deepEqual(b.rows.map((r) => r.sequence), [63092986, 63092987, 63092988, 63092989]);
      assertFlightError(
        b.error,
        GrpcStatus.DATA_LOSS,
        /63092990.*FC3D4701--63092990\.xdr\.zst.*corrupt/,
      );
      const c = await readUntilError(h.client, "stellar_ledgers:63092991:63093001");
      assert.deepEqual(c.rows.map((r) => r.sequence), [63092991, 63092992, 63092993, 63092994]);
      assertFlightError(
        c.error,
        GrpcStatus.NOT_FOUND,
        /ledger 63092995: batch object .*FC3D46FC--63092995\.xdr\.zst not found/,
      );
      const goodResult = await good;
      assert.equal(goodResult.error, undefined);
      assert.deepEqual(goodResult.rows.map((r) => r.sequence), [
        63092996,
        63092997,
        63092998,
        63092999,
        63093000,
      ]);
      const d = await readUntilError(h.client, "stellar_ledgers:63093001:63093001");
      assert.equal(d.rows.length, 0);
      assertFlightError(
        d.error,
        GrpcStatus.DATA_LOSS,
        /ledger 63093001: .*FC3D46F6--63093001\.xdr\.zst.*hash mismatch/,
      );
      const status = h.source.status.toJSON();
      assert.match(String((status.last_error as { message: string }).message), /63093001/);
      const health = await (await fetch(`http://127.0.0.1:${h.source.healthPort}/health`)).json();
      assert.equal(health.status, "degraded");
    } finally {
      await h.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("follow mode picks up batch files added during the stream", async () => {
  const dir = await copyLake("pubnet-p26");
  const part = `${dir}/FC3E15FF--63040000-63103999`;
  const held = new Map<string, Uint8Array>();
  try {
    for (
      const name of [
        "FC3D46F8--63092999.xdr.zst",
        "FC3D46F7--63093000.xdr.zst",
        "FC3D46F6--63093001.xdr.zst",
      ]
    ) {
      held.set(name, await Deno.readFile(`${part}/${name}`));
      await Deno.remove(`${part}/${name}`);
    }
    const h = await startHarness([
      "--datalake-url",
      dir,
      "--workers",
      "2",
      "--poll-interval",
      "50ms",
    ]);
    try {
      const controller = new AbortController();
      const seen: number[] = [];
      const stream = h.client.doGet("stellar_ledgers:63092995:", { signal: controller.signal });
      let added = false;
      try {
        for await (const batch of stream) {
          for (const r of recordBatchToLedgerRows(batch)) seen.push(r.sequence);
          if (!added && seen.at(-1) === 63092998) {
            added = true;
            for (const [name, bytes] of held) await Deno.writeFile(`${part}/${name}`, bytes);
          }
          if (seen.at(-1) === 63093001) controller.abort();
        }
      } catch (err) {
        if (!controller.signal.aborted) throw err;
      }
      assert.deepEqual(seen, [
        63092995,
        63092996,
        63092997,
        63092998,
        63092999,
        63093000,
        63093001,
      ]);
    } finally {
      await h.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("passphrase mismatch is a startup error", async () => {
  await assert.rejects(
    () =>
      startHarness([
        "--datalake-url",
        P26,
        "--network-passphrase",
        "Test SDF Network ; September 2015",
      ]),
    /network passphrase mismatch: configured "Test SDF Network ; September 2015", but .*\.config\.json says "Public Global/,
  );
});
