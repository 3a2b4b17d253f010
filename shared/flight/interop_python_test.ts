/**
 * Interop: a gRPC implementation that is not grpc-js (Python grpcio, C-core) reads our DoGet.
 * Needs Debian's `python3-grpcio` for /usr/bin/python3; skipped (shown as ignored, with the
 * reason in the test name) when it is missing.
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { FlightError } from "./errors.ts";
import { eventTable, ledgerTable, loopback, pseudoRandomBytes } from "./_testing.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./testdata/python_doget.py", import.meta.url).pathname;

function pythonHasGrpc(): boolean {
  try {
    const { success } = new Deno.Command(PYTHON, {
      args: ["-c", "import grpc"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return success;
  } catch {
    return false;
  }
}

const hasGrpc = pythonHasGrpc();
const skipNote = hasGrpc
  ? ""
  : ` (SKIPPED: ${PYTHON} cannot import grpc; apt-get install -y python3-grpcio python3-protobuf)`;

interface PythonReport {
  messages: number;
  max_message_bytes: number;
  status: string;
  details: string;
}

async function pythonDoGet(address: string, ticket: string): Promise<[PythonReport, Uint8Array]> {
  const out = await Deno.makeTempFile({ suffix: ".arrows" });
  try {
    const res = await new Deno.Command(PYTHON, { args: [SCRIPT, address, ticket, out] }).output();
    const stderr = new TextDecoder().decode(res.stderr);
    assert.ok(res.success, `python_doget.py failed: ${stderr}`);
    const report = JSON.parse(new TextDecoder().decode(res.stdout)) as PythonReport;
    return [report, await Deno.readFile(out)];
  } finally {
    await Deno.remove(out);
  }
}

Deno.test({
  name: `Python grpcio reads DoGet; apache-arrow decodes its re-framed IPC stream${skipNote}`,
  ignore: !hasGrpc,
}, async () => {
  const events = new arrow.Table([
    ...eventTable(0, 100).batches,
  ]);
  // Three 1.5 MiB rows in one batch: split into several messages.
  const ledgers = ledgerTable(63092982, 3, 1536 * 1024);
  const lb = await loopback({
    doGet: (ticket) => {
      const name = new TextDecoder().decode(ticket);
      if (name === "events") return { schema: events.schema, batches: events.batches };
      if (name === "ledgers") return { schema: ledgers.schema, batches: ledgers.batches };
      if (name === "empty") return { schema: ledgers.schema, batches: [] };
      throw FlightError.notFound(`No flight "${name}"`);
    },
  });
  try {
    const [evReport, evBytes] = await pythonDoGet(lb.address, "events");
    assert.equal(evReport.status, "OK", evReport.details);
    const evBack = arrow.tableFromIPC(evBytes);
    assert.equal(evBack.numRows, 100);
    assert.deepEqual(
      evBack.toArray().map((r) => r.toJSON()),
      events.toArray().map((r) => r.toJSON()),
    );
    assert.ok(arrow.DataType.isDictionary(evBack.schema.fields[1].type));

    const [lReport, lBytes] = await pythonDoGet(lb.address, "ledgers");
    assert.equal(lReport.status, "OK", lReport.details);
    assert.ok(lReport.messages >= 3, `messages: ${lReport.messages}`);
    assert.ok(lReport.max_message_bytes < 2 * 1024 * 1024 + 4096);
    const reader = await arrow.RecordBatchReader.from(lBytes);
    const lBack = new arrow.Table(reader.readAll());
    assert.equal(lBack.numRows, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(lBack.getChild("ledger_sequence")?.get(i), 63092982 + i);
      assert.deepEqual(
        lBack.getChild("ledger_close_meta_xdr")?.get(i),
        pseudoRandomBytes(1536 * 1024, 63092982 + i),
      );
    }

    const [eReport, eBytes] = await pythonDoGet(lb.address, "empty");
    assert.equal(eReport.status, "OK");
    assert.equal(eReport.messages, 1, "the schema message, even without batches");
    const empty = arrow.tableFromIPC(eBytes);
    assert.equal(empty.numRows, 0);
    assert.equal(String(empty.schema), String(ledgers.schema));

    const [nf] = await pythonDoGet(lb.address, "nope");
    assert.equal(nf.status, "NOT_FOUND");
    assert.equal(nf.details, 'No flight "nope"');
  } finally {
    await lb.close();
  }
});
