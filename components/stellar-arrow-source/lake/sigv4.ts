/**
 * AWS Signature Version 4 for S3 requests (header form), with node:crypto. Pure functions: the
 * caller passes the time. See AWS "Signature Version 4 signing process" and the S3
 * "Authenticating Requests (AWS Signature Version 4)" examples.
 *
 * @module
 */
import { createHash, createHmac } from "node:crypto";

/** Access key credentials. */
export interface SigV4Credentials {
  /** `AWS_ACCESS_KEY_ID`. */
  accessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKey: string;
  /** `AWS_SESSION_TOKEN`, for temporary credentials. */
  sessionToken?: string;
}

/** What to sign. */
export interface SigV4Request {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Full request URL. */
  url: URL;
  /** Headers that will be sent (names any case); all are signed. `host` is added from `url`. */
  headers?: Record<string, string>;
  /** Hex sha256 of the body; default: the hash of the empty body. */
  payloadHash?: string;
}

/** Signing parameters. */
export interface SigV4Options {
  /** Credentials. */
  credentials: SigV4Credentials;
  /** Region, e.g. `us-east-1`. */
  region: string;
  /** Service, `s3` by default. */
  service?: string;
  /** Signing time. */
  date: Date;
}

/** sha256 of the empty string, hex. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** RFC 3986 encoding as SigV4 requires (unreserved characters kept, `/` optionally kept). */
export function uriEncode(s: string, keepSlash: boolean): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ` for `date`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams.entries()].map(([k, v]) =>
    [uriEncode(k, false), uriEncode(v, false)] as const
  );
  pairs.sort((
    a,
    b,
  ) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** The canonical request string and the signed header list. */
export function canonicalRequest(req: SigV4Request): { text: string; signedHeaders: string } {
  const headers = new Map<string, string>();
  headers.set("host", req.url.host);
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    headers.set(k.toLowerCase(), v.trim().replace(/\s+/g, " "));
  }
  const names = [...headers.keys()].sort();
  const signedHeaders = names.join(";");
  // S3 does not normalize the path: the decoded path is encoded once, keeping slashes.
  const path = uriEncode(decodeURIComponent(req.url.pathname), true);
  const text = [
    req.method.toUpperCase(),
    path,
    canonicalQuery(req.url),
    names.map((n) => `${n}:${headers.get(n)}\n`).join(""),
    signedHeaders,
    req.payloadHash ?? EMPTY_SHA256,
  ].join("\n");
  return { text, signedHeaders };
}

function hmac(key: string | Uint8Array, data: string): Uint8Array {
  return createHmac("sha256", key).update(data).digest();
}

/** Computes the hex signature of `req` (whose headers must include `x-amz-date`). */
export function signature(req: SigV4Request, opts: SigV4Options): string {
  const service = opts.service ?? "s3";
  const stamp = amzDate(opts.date);
  const day = stamp.slice(0, 8);
  const scope = `${day}/${opts.region}/${service}/aws4_request`;
  const { text } = canonicalRequest(req);
  const toSign = [
    "AWS4-HMAC-SHA256",
    stamp,
    scope,
    createHash("sha256").update(text).digest("hex"),
  ].join("\n");
  const kDate = hmac("AWS4" + opts.credentials.secretAccessKey, day);
  const kRegion = hmac(kDate, opts.region);
  const kService = hmac(kRegion, service);
  const kSigning = hmac(kService, "aws4_request");
  return createHmac("sha256", kSigning).update(toSign).digest("hex");
}

/**
 * Returns the headers to send for `req`: the caller's headers plus `x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token` (with a session token) and `authorization`.
 */
export function signRequest(req: SigV4Request, opts: SigV4Options): Record<string, string> {
  const payloadHash = req.payloadHash ?? EMPTY_SHA256;
  const headers: Record<string, string> = {
    ...req.headers,
    "x-amz-date": amzDate(opts.date),
    "x-amz-content-sha256": payloadHash,
  };
  if (opts.credentials.sessionToken) {
    headers["x-amz-security-token"] = opts.credentials.sessionToken;
  }
  const full: SigV4Request = { ...req, headers, payloadHash };
  const { signedHeaders } = canonicalRequest(full);
  const day = headers["x-amz-date"].slice(0, 8);
  const scope = `${day}/${opts.region}/${opts.service ?? "s3"}/aws4_request`;
  headers["authorization"] =
    `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature(full, opts)}`;
  return headers;
}

/** Fields of a SigV4 `authorization` header. */
export interface ParsedAuthorization {
  /** Access key id. */
  accessKeyId: string;
  /** `YYYYMMDD`. */
  day: string;
  /** Region. */
  region: string;
  /** Service. */
  service: string;
  /** Signed header names, lower case. */
  signedHeaders: string[];
  /** Hex signature. */
  signature: string;
}

/** Parses an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header; null if not one. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/
      .exec(header);
  if (!m) return null;
  return {
    accessKeyId: m[1],
    day: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(";"),
    signature: m[6],
  };
}
