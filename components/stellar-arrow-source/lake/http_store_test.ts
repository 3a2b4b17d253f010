import assert from "node:assert/strict";
import { SourceError } from "../errors.ts";
import { copyLake, lakePath } from "../testing/fixtures.ts";
import { startS3Server } from "../testing/s3_server.ts";
import { HttpStore, parseListObjectsV2 } from "./http_store.ts";
import { ListingRefusedError } from "./store.ts";
import { DataLake } from "./lake.ts";

const LAKES = lakePath(".");
const FAST = { backoffMs: 1, attempts: 3, timeoutMs: 5000 };

Deno.test("parseListObjectsV2 reads keys, prefixes, tokens and entities", () => {
  const page = parseListObjectsV2(
    `<?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated>` +
      `<Contents><Key>a&amp;b</Key><Size>1</Size></Contents>` +
      `<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>` +
      `<NextContinuationToken>t&#x2F;1</NextContinuationToken></ListBucketResult>`,
  );
  assert.deepEqual(page, { keys: ["a&b"], prefixes: ["p/"], nextToken: "t/1" });
  assert.throws(() => parseListObjectsV2("<Error/>"), /expected a ListBucketResult/);
});

Deno.test("remote lake over loopback S3: range, batches, paging across listings", async () => {
  const server = startS3Server({ buckets: { lakes: LAKES }, pageSize: 3 });
  try {
    for (
      const [name, start, end] of [
        ["pubnet-p26", 63092982, 63093001],
        ["testnet-p19", 1410048, 1410367],
        ["pubnet-mixed", 51000294, 53312000],
        ["testnet-galexie-test-bucket", 997, 999],
      ] as const
    ) {
      const lake = await DataLake.open(`${server.url}/lakes/${name}`, { remote: FAST });
      assert.deepEqual(await lake.availableRange(), { start, end }, name);
      const batch = await lake.readBatch(end);
      const local = await Deno.readFile(`${LAKES}/${name}/${batch.key}`);
      assert.deepEqual(batch.bytes, local);
      assert.equal(batch.object, `${server.url}/lakes/${name}/${batch.key}`);
    }
    assert.ok(server.stats.list > 5);
    const store = new HttpStore({ bucketUrl: `${server.url}/lakes`, prefix: "pubnet-p26" });
    const listing = await store.listDir("FC3E15FF--63040000-63103999", { limit: 4 });
    assert.deepEqual(listing.files, [
      "FC3D46F6--63093001.xdr.zst",
      "FC3D46F7--63093000.xdr.zst",
      "FC3D46F8--63092999.xdr.zst",
      "FC3D46F9--63092998.xdr.zst",
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("s3:// with S3_ENDPOINT_URL signs requests with SigV4; wrong key is refused", async () => {
  const credentials = { accessKeyId: "AKTEST", secretAccessKey: "secret/key+1" };
  const server = startS3Server({ buckets: { lakes: LAKES }, credentials, region: "eu-central-1" });
  try {
    const env = {
      S3_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: "AKTEST",
      AWS_SECRET_ACCESS_KEY: "secret/key+1",
      AWS_REGION: "eu-central-1",
    };
    const lake = await DataLake.open("s3://lakes/testnet-p19", { env, remote: FAST });
    assert.deepEqual(await lake.availableRange(), { start: 1410048, end: 1410367 });
    assert.equal((await lake.readBatch(1410300)).key.endsWith("1410240-1410303.xdr.zst"), true);
    assert.equal(server.stats.denied, 0);
    assert.ok(server.stats.get >= 2 && server.stats.list >= 2);

    const anonymous = DataLake.open("s3://lakes/testnet-p19", {
      env: { S3_ENDPOINT_URL: server.url },
      remote: FAST,
    });
    await assert.rejects(
      anonymous,
      /store refused GET .*\.config\.json: HTTP 403 SignatureDoesNotMatch/,
    );
    const wrong = DataLake.open("s3://lakes/testnet-p19", {
      env: { ...env, AWS_SECRET_ACCESS_KEY: "nope" },
      remote: FAST,
    });
    await assert.rejects(wrong, /HTTP 403/);
    assert.equal(server.stats.denied, 2);
  } finally {
    await server.close();
  }
});

Deno.test("transient 503s are retried; a store that stays down is unavailable", async () => {
  const server = startS3Server({ buckets: { lakes: LAKES }, failFirst: 2 });
  try {
    const lake = await DataLake.open(`${server.url}/lakes/pubnet-p26`, { remote: FAST });
    assert.equal(server.stats.failed, 2);
    server.setDown(true);
    await assert.rejects(() => lake.readBatch(63092990), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, "unavailable");
      assert.match(err.message, /FC3D4701--63092990\.xdr\.zst failed after 3 attempts: HTTP 503/);
      return true;
    });
  } finally {
    await server.close();
  }
  // Nothing listens any more: connection refused, also unavailable.
  const gone = new HttpStore({ bucketUrl: server.url + "/lakes", prefix: "x", ...FAST });
  await assert.rejects(() => gone.get("k"), /store unreachable: GET .*\/lakes\/x\/k failed/);
});

Deno.test("s3://aws-public-blockchain/... reads anonymously from the virtual-hosted HTTPS URL", async () => {
  // Stand-in for AWS: the bucket's objects under v1.1/stellar/ledgers/pubnet/, served on loopback;
  // fetch is redirected there, so the test sees exactly the URLs the store asks for.
  const root = await Deno.makeTempDir();
  const lakeDir = `${root}/v1.1/stellar/ledgers/pubnet`;
  await Deno.mkdir(lakeDir, { recursive: true });
  const copy = await copyLake("pubnet-p26");
  await Deno.rename(copy, `${lakeDir}`).catch(async () => {
    await Deno.remove(lakeDir, { recursive: true });
    await Deno.rename(copy, lakeDir);
  });
  const server = startS3Server({ buckets: { "aws-public-blockchain": root } });
  const asked: string[] = [];
  const redirect = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    asked.push(url.toString());
    assert.equal(url.host, "aws-public-blockchain.s3.amazonaws.com");
    assert.equal(new Headers(init?.headers).get("authorization"), null);
    return fetch(`${server.url}/aws-public-blockchain${url.pathname}${url.search}`, init);
  }) as typeof fetch;
  try {
    const lake = await DataLake.open("s3://aws-public-blockchain/v1.1/stellar/ledgers/pubnet", {
      remote: { ...FAST, fetch: redirect },
    });
    assert.deepEqual(await lake.availableRange(), { start: 63092982, end: 63093001 });
    const batch = await lake.readBatch(63092990);
    assert.equal(
      batch.bytes.length,
      (await Deno.readFile(`${LAKES}/pubnet-p26/${batch.key}`)).length,
    );
    assert.ok(asked.includes(
      "https://aws-public-blockchain.s3.amazonaws.com/v1.1/stellar/ledgers/pubnet/.config.json",
    ));
    assert.ok(
      asked.some((u) =>
        u.startsWith(
          "https://aws-public-blockchain.s3.amazonaws.com/?list-type=2&delimiter=%2F&prefix=v1.1%2Fstellar%2Fledgers%2Fpubnet%2F",
        )
      ),
    );
    assert.ok(asked.includes(
      "https://aws-public-blockchain.s3.amazonaws.com/v1.1/stellar/ledgers/pubnet/" +
        "FC3E15FF--63040000-63103999/FC3D4701--63092990.xdr.zst",
    ));
  } finally {
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a store that refuses listings: ListingRefusedError, objects still readable", async () => {
  const server = startS3Server({ buckets: { lakes: LAKES }, denyListing: true });
  try {
    const lake = await DataLake.open(`${server.url}/lakes/pubnet-p26`, { remote: FAST });
    await assert.rejects(() => lake.availableRange(), (err: unknown) => {
      assert.ok(err instanceof ListingRefusedError);
      assert.equal(err.kind, "unavailable");
      assert.match(err.message, /listing refused: .*HTTP 403 AccessDenied/);
      return true;
    });
    assert.equal(
      (await lake.readBatch(63092990)).key,
      "FC3E15FF--63040000-63103999/FC3D4701--63092990.xdr.zst",
    );
    // Missing keys answer 403 AccessDenied on such buckets: absent, not an outage.
    assert.equal(await lake.tryReadBatch(63092970), null);
    await assert.rejects(
      () => lake.readBatch(63092970),
      /ledger 63092970: batch object .* not found/,
    );
  } finally {
    await server.close();
  }
});
