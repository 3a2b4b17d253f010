/**
 * What the standalone builds (`scripts/build.ts`, `scripts/compile.ts`) are made of: one target
 * per service, and the npm packages that stay outside a bundle.
 *
 * Workers and files read at run time are not listed here: the build finds them in each entry's
 * module graph (`new URL("./x_worker.ts", import.meta.url)` and `assetUrl("proto/...")`).
 *
 * @module
 */

/** One service that gets a bundle and a compiled binary. */
export interface BuildTarget {
  /** Folder and binary name (`stellar-arrow-source`). */
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
}

/** The four services. */
export const BUILD_TARGETS: readonly BuildTarget[] = [
  { name: "stellar-arrow-source", entry: "components/stellar-arrow-source/main.ts" },
  { name: "ttp-arrow-processor", entry: "components/ttp-arrow-processor/main.ts" },
  { name: "arrow-analytics-sink", entry: "components/arrow-analytics-sink/main.ts" },
  { name: "flowctl-control-plane", entry: "components/flowctl-control-plane/main.ts" },
];

/**
 * Import-map names kept out of bundles: `@duckdb/node-api` loads a native addon (`.node` file)
 * that cannot live inside a JavaScript bundle. The bundle imports it by its pinned `npm:`
 * specifier from deno.json, which Deno resolves at run time (from its cache or the npm registry).
 */
export const EXTERNAL_PACKAGES: readonly string[] = ["@duckdb/node-api"];

/** Finds targets by name; throws on an unknown name, listing the known ones. */
export function selectTargets(names: readonly string[] | undefined): BuildTarget[] {
  if (!names || names.length === 0) return [...BUILD_TARGETS];
  return names.map((name) => {
    const target = BUILD_TARGETS.find((t) => t.name === name);
    if (!target) {
      throw new Error(
        `unknown component ${JSON.stringify(name)}; expected one of ${
          BUILD_TARGETS.map((t) => t.name).join(", ")
        }`,
      );
    }
    return target;
  });
}
