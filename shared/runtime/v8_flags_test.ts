import assert from "node:assert/strict";
import { SERVICE_V8_FLAGS, v8FlagsArg } from "./mod.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("v8FlagsArg joins the service flags into one --v8-flags argument", () => {
  assert.equal(v8FlagsArg(), `--v8-flags=${SERVICE_V8_FLAGS.join(",")}`);
  assert.ok(SERVICE_V8_FLAGS.every((f) => f.startsWith("--") && !f.includes(",")));
});

Deno.test("every start task and run.sh starts its service with the service V8 flags", () => {
  const tasks: Record<string, string> = JSON.parse(
    Deno.readTextFileSync(new URL("deno.json", ROOT)),
  ).tasks;
  const starts = Object.entries(tasks).filter(([name]) => /^start(:|$)/.test(name));
  assert.ok(starts.length >= 5, `expected the start tasks, got ${starts.map(([n]) => n)}`);
  for (const [name, command] of starts) {
    assert.match(command, /^deno run -A /, name);
    assert.ok(command.includes(` ${v8FlagsArg()} `), `${name}: ${command}`);
  }
  for (const c of ["stellar-arrow-source", "ttp-arrow-processor", "arrow-analytics-sink"]) {
    const sh = Deno.readTextFileSync(new URL(`components/${c}/run.sh`, ROOT));
    assert.ok(sh.includes(`exec deno run -A ${v8FlagsArg()} `), c);
  }
});

Deno.test("the V8 flags are accepted by this Deno", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", v8FlagsArg(), "console.log('ok')"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "ok", err);
  assert.doesNotMatch(err, /unrecognized|unknown|error/i);
});

Deno.test("rerunWithV8Flags runs the script again under the flags, with its arguments and exit code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/rerun.ts`;
    await Deno.writeTextFile(
      script,
      `import { rerunWithV8Flags } from ${
        JSON.stringify(new URL("./mod.ts", import.meta.url).href)
      };
await rerunWithV8Flags();
const cmdline = Deno.readTextFileSync("/proc/self/cmdline").split("\\0");
console.log(JSON.stringify({ flags: cmdline.includes(${
        JSON.stringify(v8FlagsArg())
      }), args: Deno.args }));
Deno.exit(3);
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--x", "1"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    // One line: the first process printed nothing, the second ran with the flags.
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [{ flags: true, args: ["--x", "1"] }]);
    assert.equal(out.code, 3, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
