/**
 * Locates files that code reads at run time (the `.proto` files under `proto/`) by their path in
 * the repository, so that the same line works in a checkout, in a `deno compile` binary and in a
 * `deno bundle` output:
 *
 * - checkout and `deno compile` (with `--include proto/`): modules keep their own URLs, so the
 *   path resolves against the repository root (two folders above this module);
 * - bundle: every module's `import.meta.url` is the bundle's own URL, so the path resolves
 *   against the bundle's folder, where `scripts/build.ts` copies the files under the same
 *   repository-relative path (`dist/bundle/<component>/proto/Flight.proto`).
 *
 * ```ts
 * import { fileURLToPath } from "node:url";
 * import { assetUrl } from "../assets/mod.ts";
 * const flightProto = fileURLToPath(assetUrl("proto/Flight.proto"));
 * ```
 *
 * @module
 */

/** This module's path inside the repository, as seen in a checkout or a compiled binary. */
const SELF_SUFFIX = "/shared/assets/mod.ts";

/**
 * Base URL that {@linkcode assetUrl} resolves against, for a module whose `import.meta.url` is
 * `moduleUrl`: the repository root when the module is this file, else (a bundle) the folder of
 * the bundle.
 */
export function assetBase(moduleUrl: string): URL {
  return moduleUrl.endsWith(SELF_SUFFIX)
    ? new URL(moduleUrl.slice(0, -SELF_SUFFIX.length) + "/")
    : new URL("./", moduleUrl);
}

/**
 * URL of a file or folder given by its repository-relative path (`"proto/Flight.proto"`,
 * `"proto/"`). Throws on absolute paths and on paths that climb out with `..`.
 */
export function assetUrl(repoPath: string): URL {
  if (repoPath.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(repoPath)) {
    throw new Error(
      `assetUrl: expected a repository-relative path, got ${JSON.stringify(repoPath)}`,
    );
  }
  if (repoPath.split("/").includes("..")) {
    throw new Error(
      `assetUrl: expected a path inside the repository, got ${JSON.stringify(repoPath)}`,
    );
  }
  return new URL(repoPath, assetBase(import.meta.url));
}
