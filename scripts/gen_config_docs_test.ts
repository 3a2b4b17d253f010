import assert from "node:assert/strict";
import { DOC_PATH, renderConfigurationDoc } from "./gen_config_docs.ts";

Deno.test("docs/configuration.md matches the services' option specs", async () => {
  const text = renderConfigurationDoc();
  for (
    const needle of [
      "`DATALAKE_URL`",
      "`SOURCE_ENDPOINT`",
      "`PROCESSOR_ENDPOINT`",
      "`ENABLE_FLOWCTL`",
    ]
  ) {
    assert.ok(text.includes(needle), `missing ${needle}`);
  }
  assert.equal(
    await Deno.readTextFile(DOC_PATH),
    text,
    "docs/configuration.md is stale: run deno run -A scripts/gen_config_docs.ts",
  );
});
