/**
 * Writes `docs/configuration.md` from the live option specs of every service, so the tables
 * stay in step with the code (and with each service's `--help`):
 *
 *   deno run -A scripts/gen_config_docs.ts [--check]
 *
 * `--check` writes nothing and exits 1 when the file is out of date.
 *
 * @module
 */
import { optionRows, type OptionSpec } from "../shared/config/mod.ts";
import { flowctlOptionSpec } from "../shared/flowctl/mod.ts";
import { SOURCE_OPTIONS } from "../components/stellar-arrow-source/config.ts";
import { configSpec as PROCESSOR_OPTIONS } from "../components/ttp-arrow-processor/config.ts";
import { SINK_OPTIONS } from "../components/arrow-analytics-sink/config.ts";
import { controlPlaneSpec } from "../components/flowctl-control-plane/main.ts";
import { PIPELINE_OPTIONS } from "../components/pipeline/config.ts";

/** Where the generated document goes. */
export const DOC_PATH: URL = new URL("../docs/configuration.md", import.meta.url);

interface Section {
  title: string;
  intro: string;
  spec: OptionSpec;
}

const flowctlEnvs = new Set(
  optionRows(flowctlOptionSpec as unknown as OptionSpec).map((r) => r.env),
);

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function table(spec: OptionSpec, skipFlowctl: boolean): string {
  const rows = optionRows(spec).filter((r) => !skipFlowctl || !flowctlEnvs.has(r.env));
  return [
    "| variable | flag | default | description |",
    "|---|---|---|---|",
    ...rows.map((r) =>
      `| \`${r.env}\` | \`--${r.flag} ${cell(r.placeholder)}\` | ${cell(r.default)} | ${
        cell(r.description)
      } |`
    ),
  ].join("\n");
}

/** The whole document. */
export function renderConfigurationDoc(): string {
  const sections: Section[] = [
    {
      title: "stellar-arrow-source",
      intro: "`deno task start:source` — Flight :8816, health :8088.",
      spec: SOURCE_OPTIONS as unknown as OptionSpec,
    },
    {
      title: "ttp-arrow-processor",
      intro: "`deno task start:processor` — Flight :8817, health :8089.",
      spec: PROCESSOR_OPTIONS as unknown as OptionSpec,
    },
    {
      title: "arrow-analytics-sink",
      intro: "`deno task start:sink` — Flight :8818, REST and WebSocket :8081, health :8090.",
      spec: SINK_OPTIONS as unknown as OptionSpec,
    },
  ];
  const parts = [
    "# Configuration",
    "",
    "Generated from the services' option specs by `deno run -A scripts/gen_config_docs.ts`; do " +
    "not edit by hand. Every option is an environment variable with a matching flag; the flag " +
    "wins. Each service's `--help` prints the same list.",
    "",
    ...sections.flatMap((s) => [`## ${s.title}`, "", s.intro, "", table(s.spec, true), ""]),
    "## flowctl integration (all three components)",
    "",
    "The same options in the source, the processor and the sink.",
    "",
    table(flowctlOptionSpec as unknown as OptionSpec, false),
    "",
    "## flowctl-control-plane",
    "",
    "`deno task start:control-plane` — gRPC (legacy `flowctl.ControlPlane` and `flowctl.v1`) " +
    "and HTTP (`/api/services`, `/`) on one port, :8080.",
    "",
    table(controlPlaneSpec as unknown as OptionSpec, false),
    "",
    "## Launcher (`deno task start`)",
    "",
    table(PIPELINE_OPTIONS as unknown as OptionSpec, false),
    "",
  ];
  return parts.join("\n");
}

if (import.meta.main) {
  const text = renderConfigurationDoc();
  if (Deno.args.includes("--check")) {
    let current = "";
    try {
      current = await Deno.readTextFile(DOC_PATH);
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(
        "docs/configuration.md is out of date: run deno run -A scripts/gen_config_docs.ts",
      );
      Deno.exit(1);
    }
  } else {
    await Deno.writeTextFile(DOC_PATH, text);
    console.log(`wrote ${DOC_PATH.pathname}`);
  }
}
