/**
 * Optional persistence of the registry in a JSON file, written atomically (temporary file in the
 * same directory, then rename).
 *
 * @module
 */
import type { ServiceRecord } from "./registry.ts";

/** File format version. */
export const DB_VERSION = 1;

interface DbFile {
  version: number;
  saved_at: string;
  services: ServiceRecord[];
}

/** Writes `records` to `path` atomically. */
export async function saveRegistry(path: string, records: ServiceRecord[]): Promise<void> {
  const body: DbFile = {
    version: DB_VERSION,
    saved_at: new Date().toISOString(),
    services: records,
  };
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(body, null, 1));
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Reads a registry file; an absent file is an empty registry.
 *
 * @throws {Error} saying what was expected when the file is not a registry file.
 */
export async function loadRegistry(path: string): Promise<ServiceRecord[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  let body: Partial<DbFile>;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Expected a JSON registry file at ${path}, got unparsable JSON: ${(e as Error).message}`,
    );
  }
  if (body.version !== DB_VERSION || !Array.isArray(body.services)) {
    throw new Error(
      `Expected a registry file version ${DB_VERSION} with a services array at ${path}, got version ${
        JSON.stringify(body.version)
      }`,
    );
  }
  for (const [i, r] of body.services.entries()) {
    if (
      typeof r?.id !== "string" || typeof r.lastHeartbeat !== "number" || typeof r.kind !== "string"
    ) {
      throw new Error(`Expected services[${i}] in ${path} to have id, kind and lastHeartbeat`);
    }
  }
  return body.services;
}
