/**
 * {@linkcode ObjectStore} over the S3 REST API: GET Object and ListObjectsV2 (`prefix`,
 * `delimiter=/`, continuation tokens), anonymous or signed with AWS SigV4. Works with AWS S3
 * (virtual-hosted, e.g. `https://aws-public-blockchain.s3.amazonaws.com`) and S3-compatible
 * endpoints (path-style, e.g. `http://127.0.0.1:9000/bucket`). Transient failures (network errors,
 * timeouts, 429, 5xx) are retried with exponential backoff.
 *
 * @module
 */
import { delay } from "../../../shared/async/mod.ts";
import { SourceError } from "../errors.ts";
import { signRequest, type SigV4Credentials, uriEncode } from "./sigv4.ts";
import {
  type DirListing,
  ListingRefusedError,
  type ListOptions,
  type ObjectStore,
} from "./store.ts";

/** Options for {@linkcode HttpStore}. */
export interface HttpStoreOptions {
  /**
   * Bucket URL: `https://<bucket>.s3.amazonaws.com` (virtual-hosted) or `http://host:port/<bucket>`
   * (path-style). ListObjectsV2 requests go to this URL; objects to `<bucketUrl>/<key>`.
   */
  bucketUrl: string;
  /** Key prefix of the lake root inside the bucket, without leading or trailing slash. */
  prefix: string;
  /** Region for signing; default `us-east-1`. */
  region?: string;
  /** Credentials; without them requests are anonymous. */
  credentials?: SigV4Credentials;
  /** Attempts per request (first try included); default 4. */
  attempts?: number;
  /** Delay before the first retry in ms, doubled each time; default 200. */
  backoffMs?: number;
  /** Per-request timeout in ms; default 30000. */
  timeoutMs?: number;
  /** fetch implementation (tests); default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

class Retryable extends Error {}

/** Decodes the five XML entities and numeric character references. */
export function decodeXmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === "#") {
      return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1)));
    }
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e] as string;
  });
}

/** One parsed ListObjectsV2 page. */
export interface ListPage {
  /** `Contents/Key` values. */
  keys: string[];
  /** `CommonPrefixes/Prefix` values. */
  prefixes: string[];
  /** `NextContinuationToken` when `IsTruncated` is true. */
  nextToken?: string;
}

/** Parses a ListObjectsV2 XML response body. Throws when it is not a `ListBucketResult`. */
export function parseListObjectsV2(xml: string): ListPage {
  if (!/<ListBucketResult[\s>]/.test(xml)) {
    throw new Error(`expected a ListBucketResult XML document, got ${xml.slice(0, 120)}`);
  }
  const keys = [...xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)]
    .map((m) => decodeXmlText(m[1]));
  const prefixes = [
    ...xml.matchAll(/<CommonPrefixes>\s*<Prefix>([\s\S]*?)<\/Prefix>\s*<\/CommonPrefixes>/g),
  ].map((m) => decodeXmlText(m[1]));
  const truncated = /<IsTruncated>\s*true\s*<\/IsTruncated>/.test(xml);
  const token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1];
  return { keys, prefixes, nextToken: truncated && token ? decodeXmlText(token) : undefined };
}

/** A lake behind the S3 REST API. */
export class HttpStore implements ObjectStore {
  /** `<bucketUrl>/<prefix>`. */
  readonly location: string;
  readonly #bucketUrl: URL;
  readonly #prefix: string;
  readonly #opts: HttpStoreOptions;
  readonly #fetch: typeof fetch;
  #listingRefused = false;

  /** Creates a store; no request is made until used. */
  constructor(opts: HttpStoreOptions) {
    this.#bucketUrl = new URL(opts.bucketUrl.replace(/\/+$/, ""));
    this.#prefix = opts.prefix.replace(/^\/+|\/+$/g, "");
    this.#opts = opts;
    this.#fetch = opts.fetch ?? globalThis.fetch;
    this.location = this.#objectUrl("").toString().replace(/\/$/, "");
  }

  #fullKey(key: string): string {
    return [this.#prefix, key].filter((s) => s !== "").join("/");
  }

  #objectUrl(key: string): URL {
    const u = new URL(this.#bucketUrl);
    const base = u.pathname.replace(/\/+$/, "");
    u.pathname = `${base}/${uriEncode(this.#fullKey(key), true)}`;
    return u;
  }

  /** URL of one key. */
  describe(key: string): string {
    return this.#objectUrl(key).toString();
  }

  /**
   * GETs `url` and reads the answer with `read` (status, body), retrying network errors,
   * timeouts (covering the body too), 429 and 5xx with exponential backoff.
   */
  async #request<T>(
    url: URL,
    signal: AbortSignal | undefined,
    read: (res: Response) => Promise<T>,
  ): Promise<T> {
    const attempts = this.#opts.attempts ?? 4;
    const backoff = this.#opts.backoffMs ?? 200;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await delay(backoff * 2 ** (attempt - 1), signal);
      signal?.throwIfAborted();
      const timeout = new AbortController();
      const timer = setTimeout(
        () => timeout.abort(new Error(`timed out after ${this.#opts.timeoutMs ?? 30000} ms`)),
        this.#opts.timeoutMs ?? 30000,
      );
      const headers = this.#opts.credentials
        ? signRequest({ method: "GET", url }, {
          credentials: this.#opts.credentials,
          region: this.#opts.region ?? "us-east-1",
          date: new Date(),
        })
        : {};
      try {
        const res = await this.#fetch(url, {
          headers,
          signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
        });
        if (res.status === 429 || res.status >= 500) {
          await res.body?.cancel();
          throw new Retryable(`HTTP ${res.status} ${res.statusText}`);
        }
        return await read(res);
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof SourceError) throw err;
        lastError = timeout.signal.aborted ? timeout.signal.reason : err;
      } finally {
        clearTimeout(timer);
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new SourceError(
      "unavailable",
      `store unreachable: GET ${url} failed after ${attempts} attempts: ${why}`,
      { object: url.toString(), cause: lastError },
    );
  }

  async #failure(res: Response, url: URL): Promise<SourceError> {
    const body = (await res.text()).slice(0, 300);
    const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
    return new SourceError(
      "unavailable",
      `store refused GET ${url}: HTTP ${res.status}${code ? ` ${code}` : ""}`,
      { object: url.toString() },
    );
  }

  /**
   * GET Object; null on 404. Once a listing was refused, S3 also answers 403 AccessDenied for a
   * key that does not exist (without `s3:ListBucket` it may not reveal which keys exist), so that
   * counts as absent too; wrong credentials already fail on the manifest.
   */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    const url = this.#objectUrl(key);
    return this.#request(url, signal, async (res) => {
      if (res.status === 404 || (res.status === 403 && this.#listingRefused)) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok) throw await this.#failure(res, url);
      return new Uint8Array(await res.arrayBuffer());
    });
  }

  /** ListObjectsV2 of `dir` with `delimiter=/`, following continuation tokens. */
  async listDir(dir: string, options: ListOptions = {}): Promise<DirListing> {
    const full = this.#fullKey(dir);
    const prefix = full === "" ? "" : `${full}/`;
    const limit = options.limit ?? Infinity;
    const dirs: string[] = [];
    const files: string[] = [];
    let token: string | undefined;
    do {
      const url = new URL(this.#bucketUrl);
      url.searchParams.set("list-type", "2");
      url.searchParams.set("delimiter", "/");
      url.searchParams.set("prefix", prefix);
      const remaining = limit - dirs.length - files.length;
      if (remaining < 1000) url.searchParams.set("max-keys", String(remaining));
      if (token) url.searchParams.set("continuation-token", token);
      const page: ListPage = await this.#request(url, undefined, async (res) => {
        if ([401, 403, 405, 501].includes(res.status)) {
          this.#listingRefused = true;
          const failure = await this.#failure(res, url);
          throw new ListingRefusedError(
            `listing refused: ${failure.message} (objects can still be read by name)`,
            url.toString(),
          );
        }
        if (!res.ok) throw await this.#failure(res, url);
        const text = await res.text();
        try {
          return parseListObjectsV2(text);
        } catch (err) {
          this.#listingRefused = true;
          throw new ListingRefusedError(
            `listing not supported: GET ${url} did not answer with ListObjectsV2: ${
              (err as Error).message
            }`,
            url.toString(),
          );
        }
      });
      for (const p of page.prefixes) dirs.push(p.slice(prefix.length).replace(/\/$/, ""));
      for (const k of page.keys) if (k !== prefix) files.push(k.slice(prefix.length));
      token = page.nextToken;
    } while (token && dirs.length + files.length < limit);
    dirs.sort();
    files.sort();
    return { dirs, files };
  }
}
