import assert from "node:assert/strict";
import {
  canonicalRequest,
  EMPTY_SHA256,
  parseAuthorization,
  signature,
  signRequest,
  uriEncode,
} from "./sigv4.ts";

// AWS S3 documentation example "GET Object" (sig-v4-header-based-auth.html).
const S3_DOC_CREDS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const S3_DOC_DATE = new Date("2013-05-24T00:00:00Z");

Deno.test("sigv4: AWS S3 doc example GET /test.txt with Range", () => {
  const headers = signRequest(
    {
      method: "GET",
      url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      headers: { Range: "bytes=0-9" },
    },
    { credentials: S3_DOC_CREDS, region: "us-east-1", date: S3_DOC_DATE },
  );
  assert.equal(
    headers.authorization,
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
  assert.equal(headers["x-amz-date"], "20130524T000000Z");
  assert.equal(headers["x-amz-content-sha256"], EMPTY_SHA256);
});

Deno.test("sigv4: AWS test suite get-vanilla-query-order-key-case", () => {
  const sig = signature(
    {
      method: "GET",
      url: new URL("https://example.amazonaws.com/?Param2=value2&Param1=value1"),
      headers: { "X-Amz-Date": "20150830T123600Z" },
    },
    {
      credentials: {
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      },
      region: "us-east-1",
      service: "service",
      date: new Date("2015-08-30T12:36:00Z"),
    },
  );
  assert.equal(sig, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
});

Deno.test("sigv4: canonical query sorts and strictly encodes", () => {
  const { text } = canonicalRequest({
    method: "get",
    url: new URL("http://127.0.0.1:9000/bucket?prefix=a%2Fb%20c&list-type=2&delimiter=%2F"),
  });
  const lines = text.split("\n");
  assert.equal(lines[0], "GET");
  assert.equal(lines[1], "/bucket");
  assert.equal(lines[2], "delimiter=%2F&list-type=2&prefix=a%2Fb%20c");
  assert.equal(lines[3], "host:127.0.0.1:9000");
  assert.equal(uriEncode("a b/ü~", true), "a%20b/%C3%BC~");
});

Deno.test("sigv4: session token is signed; parseAuthorization round-trips", () => {
  const headers = signRequest(
    { method: "GET", url: new URL("http://localhost:1/b/k") },
    {
      credentials: { ...S3_DOC_CREDS, sessionToken: "tok" },
      region: "eu-west-1",
      date: S3_DOC_DATE,
    },
  );
  assert.equal(headers["x-amz-security-token"], "tok");
  const parsed = parseAuthorization(headers.authorization);
  assert.ok(parsed);
  assert.equal(parsed.region, "eu-west-1");
  assert.deepEqual(parsed.signedHeaders, [
    "host",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
  ]);
  assert.equal(parseAuthorization("Bearer x"), null);
});
