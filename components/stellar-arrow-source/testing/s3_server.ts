/**
 * Test helper: a small S3-compatible HTTP server on loopback (path-style `/<bucket>/<key>`) that
 * serves a local folder through GET Object and ListObjectsV2 (prefix, delimiter, max-keys,
 * continuation tokens). It can require SigV4 signatures (recomputed from the request as received)
 * and inject failures.
 *
 * @module
 */
import { join, relative } from "node:path";
import { parseAuthorization, signature, type SigV4Credentials } from "../lake/sigv4.ts";

/** Options for {@linkcode startS3Server}. */
export interface S3ServerOptions {
  /** Bucket name → local folder served as its objects. */
  buckets: Record<string, string>;
  /** Require SigV4 with these credentials (403 otherwise). */
  credentials?: SigV4Credentials;
  /** Region expected in signatures; default `us-east-1`. */
  region?: string;
  /** Page size of listings; default 1000. */
  pageSize?: number;
  /** Answer this many requests with 503 before serving normally. */
  failFirst?: number;
  /** Refuse listings with 403 AccessDenied (objects stay readable), like GetObject-only buckets. */
  denyListing?: boolean;
}

/** A running server. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests served, by kind. */
  stats: { get: number; list: number; denied: number; failed: number };
  /** Makes later requests fail with 503 (true) or be served (false). */
  setDown(down: boolean): void;
  /** Stops the server. */
  close(): Promise<void>;
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await walk(root, p, out);
    else out.push(relative(root, p));
  }
  return out;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function error(status: number, code: string): Response {
  return new Response(`<?xml version="1.0"?><Error><Code>${code}</Code></Error>`, {
    status,
    headers: { "content-type": "application/xml" },
  });
}

/** Starts the server on an ephemeral loopback port. */
export function startS3Server(options: S3ServerOptions): S3Server {
  const stats = { get: 0, list: 0, denied: 0, failed: 0 };
  let failFirst = options.failFirst ?? 0;
  let down = false;
  const checkSignature = (req: Request, url: URL): boolean => {
    const creds = options.credentials;
    if (!creds) return true;
    const auth = parseAuthorization(req.headers.get("authorization") ?? "");
    const date = req.headers.get("x-amz-date") ?? "";
    if (!auth || auth.accessKeyId !== creds.accessKeyId || !date.startsWith(auth.day)) return false;
    if (auth.region !== (options.region ?? "us-east-1") || auth.service !== "s3") return false;
    if (!auth.signedHeaders.includes("host") || !auth.signedHeaders.includes("x-amz-date")) {
      return false;
    }
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      if (name === "host") continue;
      const v = req.headers.get(name);
      if (v === null) return false;
      headers[name] = v;
    }
    const host = req.headers.get("host") ?? "";
    const asReceived = new URL(url.pathname + url.search, `http://${host}`);
    const want = signature(
      {
        method: req.method,
        url: asReceived,
        headers,
        payloadHash: req.headers.get("x-amz-content-sha256") ?? undefined,
      },
      {
        credentials: creds,
        region: auth.region,
        date: new Date(
          `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${
            date.slice(11, 13)
          }:${date.slice(13, 15)}Z`,
        ),
      },
    );
    return want === auth.signature;
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (down || failFirst > 0) {
        failFirst = Math.max(0, failFirst - 1);
        stats.failed++;
        return error(503, "SlowDown");
      }
      if (!checkSignature(req, url)) {
        stats.denied++;
        return error(403, "SignatureDoesNotMatch");
      }
      const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
      const bucket = parts.shift() ?? "";
      const root = options.buckets[bucket];
      if (root === undefined) return error(404, "NoSuchBucket");
      const key = parts.join("/");
      if (key === "" && url.searchParams.get("list-type") === "2") {
        stats.list++;
        if (options.denyListing) return error(403, "AccessDenied");
        const prefix = url.searchParams.get("prefix") ?? "";
        const delimiter = url.searchParams.get("delimiter") ?? "";
        const maxKeys = Math.min(
          Number(url.searchParams.get("max-keys") ?? 1000),
          options.pageSize ?? 1000,
        );
        const after = url.searchParams.get("continuation-token") ?? "";
        const entries = new Map<string, "key" | "prefix">();
        for (const k of (await walk(root)).sort()) {
          if (!k.startsWith(prefix)) continue;
          const rest = k.slice(prefix.length);
          const cut = delimiter ? rest.indexOf(delimiter) : -1;
          if (cut >= 0) entries.set(prefix + rest.slice(0, cut + delimiter.length), "prefix");
          else entries.set(k, "key");
        }
        const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).filter(([n]) =>
          after === "" || n > atob(after)
        );
        const page = sorted.slice(0, maxKeys);
        const truncated = sorted.length > page.length;
        const body = [
          `<?xml version="1.0" encoding="UTF-8"?>`,
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
          `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix>`,
          `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
          `<IsTruncated>${truncated}</IsTruncated>`,
          ...page.map(([n, kind]) =>
            kind === "key"
              ? `<Contents><Key>${xmlEscape(n)}</Key><Size>0</Size></Contents>`
              : `<CommonPrefixes><Prefix>${xmlEscape(n)}</Prefix></CommonPrefixes>`
          ),
          truncated
            ? `<NextContinuationToken>${btoa(page[page.length - 1][0])}</NextContinuationToken>`
            : "",
          `</ListBucketResult>`,
        ].join("");
        return new Response(body, { headers: { "content-type": "application/xml" } });
      }
      stats.get++;
      try {
        const bytes = await Deno.readFile(join(root, key));
        return new Response(bytes);
      } catch {
        // Like S3: without list permission a missing key is AccessDenied, not NoSuchKey.
        return options.denyListing ? error(403, "AccessDenied") : error(404, "NoSuchKey");
      }
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    stats,
    setDown: (d) => {
      down = d;
    },
    close: () => server.shutdown(),
  };
}
