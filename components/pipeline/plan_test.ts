import assert from "node:assert/strict";
import { checkPorts, DEFAULT_PORTS, type PipelineOptions, planPipeline } from "./plan.ts";

const base: PipelineOptions = {
  dataDir: "/data",
  flowctl: true,
  logLevel: "info",
  heartbeatInterval: "2s",
  ports: DEFAULT_PORTS,
};

Deno.test("the plan wires each service to the next on the documented ports", () => {
  const plan = planPipeline(base);
  assert.deepEqual(plan.map((s) => s.name), ["control-plane", "source", "processor", "sink"]);
  const [cp, source, processor, sink] = plan;
  assert.deepEqual(cp.args, ["--port", "8080"]);
  assert.equal(source.env.FLIGHT_PORT, "8816");
  assert.equal(source.env.HEALTH_PORT, "8088");
  assert.equal(source.env.SOURCE_TYPE, "datalake");
  assert.equal(source.env.DATALAKE_URL, undefined, "default lake is the source's own default");
  assert.equal(processor.env.SOURCE_ENDPOINT, "localhost:8816");
  assert.equal(processor.env.FLIGHT_PORT, "8817");
  assert.equal(processor.env.HEALTH_PORT, "8089");
  assert.equal(sink.env.PROCESSOR_ENDPOINT, "localhost:8817");
  assert.equal(sink.env.HTTP_PORT, "8081");
  assert.equal(sink.env.HEALTH_PORT, "8090");
  assert.equal(sink.env.DATA_DIR, "/data");
  for (const s of plan.slice(1)) {
    assert.equal(s.env.ENABLE_FLOWCTL, "true");
    assert.equal(s.env.FLOWCTL_ENDPOINT, "localhost:8080");
  }
});

Deno.test("options select the reader, range and flowctl", () => {
  const cases: {
    options: Partial<PipelineOptions>;
    check: (p: ReturnType<typeof planPipeline>) => void;
  }[] = [
    {
      options: { rpcUrl: "https://rpc.example", datalakeUrl: "/ignored" },
      check: (p) => {
        const source = p.find((s) => s.name === "source")!;
        assert.equal(source.env.SOURCE_TYPE, "rpc");
        assert.equal(source.env.RPC_URL, "https://rpc.example");
        assert.equal(source.env.DATALAKE_URL, undefined);
      },
    },
    {
      options: {
        datalakeUrl: "s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet",
        startLedger: 5,
        endLedger: 9,
      },
      check: (p) => {
        assert.equal(
          p.find((s) => s.name === "source")!.env.DATALAKE_URL,
          "s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet",
        );
        const sink = p.find((s) => s.name === "sink")!;
        assert.equal(sink.env.START_LEDGER, "5");
        assert.equal(sink.env.END_LEDGER, "9");
      },
    },
    {
      options: { flowctl: false, workers: 1 },
      check: (p) => {
        assert.deepEqual(p.map((s) => s.name), ["source", "processor", "sink"]);
        for (const s of p) {
          assert.equal(s.env.ENABLE_FLOWCTL, "false");
          assert.equal(s.env.WORKERS, "1");
        }
      },
    },
  ];
  for (const { options, check } of cases) check(planPipeline({ ...base, ...options }));
});

Deno.test("colliding ports are refused by name", () => {
  checkPorts(DEFAULT_PORTS);
  assert.throws(
    () => checkPorts({ ...DEFAULT_PORTS, sinkHttp: 8080 }),
    /Expected distinct ports, got 8080 for both controlPlane and sinkHttp/,
  );
});
