import assert from "node:assert/strict";
import { parseLakeLocation, storeFor } from "./location.ts";

Deno.test("parseLakeLocation: table", () => {
  const creds = { AWS_ACCESS_KEY_ID: "AK", AWS_SECRET_ACCESS_KEY: "SK" };
  const cases: [string, Record<string, string>, unknown][] = [
    ["/data/lake", {}, { kind: "local", root: "/data/lake" }],
    ["file:///data/lake", {}, { kind: "local", root: "/data/lake" }],
    ["lake", {}, { kind: "local", root: "/cwd/lake" }],
    [
      "s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet",
      {},
      {
        kind: "http",
        bucketUrl: "https://aws-public-blockchain.s3.amazonaws.com",
        prefix: "v1.1/stellar/ledgers/pubnet",
        region: "us-east-1",
        credentials: undefined,
      },
    ],
    [
      "s3://lakes/pubnet/",
      { ...creds, S3_ENDPOINT_URL: "http://127.0.0.1:9000/", AWS_REGION: "auto" },
      {
        kind: "http",
        bucketUrl: "http://127.0.0.1:9000/lakes",
        prefix: "pubnet",
        region: "auto",
        credentials: { accessKeyId: "AK", secretAccessKey: "SK", sessionToken: undefined },
      },
    ],
    [
      "https://aws-public-blockchain.s3.us-east-2.amazonaws.com/v1.1/stellar/ledgers/pubnet",
      {},
      {
        kind: "http",
        bucketUrl: "https://aws-public-blockchain.s3.us-east-2.amazonaws.com",
        prefix: "v1.1/stellar/ledgers/pubnet",
        region: "us-east-2",
        credentials: undefined,
      },
    ],
    [
      "http://localhost:8000/bucket/a/b",
      {},
      {
        kind: "http",
        bucketUrl: "http://localhost:8000/bucket",
        prefix: "a/b",
        region: "us-east-1",
        credentials: undefined,
      },
    ],
    [
      "gs://sdf-ledger-close-meta/v1/ledgers/pubnet",
      {},
      {
        kind: "http",
        bucketUrl: "https://storage.googleapis.com/sdf-ledger-close-meta",
        prefix: "v1/ledgers/pubnet",
        region: "auto",
        credentials: undefined,
      },
    ],
  ];
  for (const [url, env, want] of cases) {
    assert.deepEqual(parseLakeLocation(url, env, "/cwd"), want, url);
  }
  assert.throws(() => parseLakeLocation("ftp://x/y"), /expected a data lake path.*"ftp:\/\/x\/y"/);
  assert.throws(() => parseLakeLocation("s3:///x"), /expected s3:\/\/<bucket>/);
  assert.throws(() => parseLakeLocation(""), /empty/);
});

Deno.test("storeFor: public AWS lake object URL matches the SEP-54 worked example", () => {
  const store = storeFor(
    parseLakeLocation("s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet"),
  );
  assert.equal(
    store.describe("FD054DFF--49984000-50047999/FD050F7F--50000000.xdr.zst"),
    "https://aws-public-blockchain.s3.amazonaws.com/v1.1/stellar/ledgers/pubnet/" +
      "FD054DFF--49984000-50047999/FD050F7F--50000000.xdr.zst",
  );
  assert.equal(
    store.location,
    "https://aws-public-blockchain.s3.amazonaws.com/v1.1/stellar/ledgers/pubnet",
  );
});
