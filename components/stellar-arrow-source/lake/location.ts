/**
 * Turns a data lake URL into an {@linkcode ObjectStore}: local paths and `file://` URLs,
 * `s3://bucket/prefix` (AWS, or an S3-compatible endpoint from `S3_ENDPOINT_URL`), `gs://` (GCS
 * XML API) and `http(s)://` URLs (virtual-hosted AWS hosts, otherwise path-style
 * `host/bucket/prefix`). Credentials come from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
 * (+ `AWS_SESSION_TOKEN`), the region from `AWS_REGION` / `AWS_DEFAULT_REGION`.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpStore, type HttpStoreOptions } from "./http_store.ts";
import { LocalStore } from "./local_store.ts";
import type { SigV4Credentials } from "./sigv4.ts";
import type { ObjectStore } from "./store.ts";

/** Where a lake lives. */
export type LakeLocation =
  | { kind: "local"; root: string }
  | {
    kind: "http";
    bucketUrl: string;
    prefix: string;
    region: string;
    credentials?: SigV4Credentials;
  };

/** Environment consulted by {@linkcode parseLakeLocation}. */
export type LakeEnv = Readonly<Record<string, string | undefined>>;

const AWS_VHOST = /^([a-z0-9.-]+)\.s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/;

function credentialsFrom(env: LakeEnv): SigV4Credentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, "");
}

/**
 * Parses a lake URL. Relative paths resolve against `cwd` (default `Deno.cwd()`). Throws with a
 * message naming the accepted forms when the URL is not one of them.
 */
export function parseLakeLocation(url: string, env: LakeEnv = {}, cwd?: string): LakeLocation {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "";
  const credentials = credentialsFrom(env);
  if (url.startsWith("file://")) return { kind: "local", root: fileURLToPath(url) };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (url === "") throw new Error("expected a data lake URL or path, got an empty string");
    return { kind: "local", root: isAbsolute(url) ? url : resolve(cwd ?? Deno.cwd(), url) };
  }
  if (scheme === "s3" || scheme === "gs") {
    const rest = url.slice(scheme.length + 3);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : trimSlashes(rest.slice(slash + 1));
    if (bucket === "") throw new Error(`expected ${scheme}://<bucket>/<prefix>, got "${url}"`);
    const endpoint = scheme === "gs"
      ? "https://storage.googleapis.com"
      : env.S3_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
    const bucketUrl = endpoint
      ? `${endpoint.replace(/\/+$/, "")}/${bucket}`
      : `https://${bucket}.s3.amazonaws.com`;
    return {
      kind: "http",
      bucketUrl,
      prefix,
      region: region || (scheme === "gs" ? "auto" : "us-east-1"),
      credentials,
    };
  }
  if (scheme === "http" || scheme === "https") {
    const u = new URL(url);
    const vhost = AWS_VHOST.exec(u.hostname);
    if (vhost) {
      return {
        kind: "http",
        bucketUrl: u.origin,
        prefix: trimSlashes(decodeURIComponent(u.pathname)),
        region: region || (vhost[2] && vhost[2] !== "external-1" ? vhost[2] : "us-east-1"),
        credentials,
      };
    }
    const parts = trimSlashes(decodeURIComponent(u.pathname)).split("/").filter((p) => p !== "");
    const bucket = parts.shift();
    return {
      kind: "http",
      bucketUrl: bucket === undefined ? u.origin : `${u.origin}/${bucket}`,
      prefix: parts.join("/"),
      region: region || "us-east-1",
      credentials,
    };
  }
  throw new Error(
    `expected a data lake path, file://, s3://, gs://, http:// or https:// URL, got "${url}"`,
  );
}

/** Extra options for remote stores (retries, timeouts, fetch). */
export type RemoteOptions = Pick<
  HttpStoreOptions,
  "attempts" | "backoffMs" | "timeoutMs" | "fetch"
>;

/** Opens the store for a location. */
export function storeFor(location: LakeLocation, remote: RemoteOptions = {}): ObjectStore {
  if (location.kind === "local") return new LocalStore(location.root);
  return new HttpStore({ ...remote, ...location });
}
