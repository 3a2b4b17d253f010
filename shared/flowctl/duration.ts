/**
 * Go `time.ParseDuration` syntax, as used by `FLOWCTL_HEARTBEAT_INTERVAL` (`10s`, `1m30s`,
 * `250ms`, `1.5h`).
 *
 * @module
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3, // micro sign
  "\u03bcs": 1e-3, // Greek small letter mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;

/**
 * Parses a Go duration string into milliseconds (fractional below 1 ms).
 *
 * Accepts an optional sign followed by one or more `<number><unit>` terms, units `ns`, `us`
 * (`µs`), `ms`, `s`, `m`, `h`; the lone string `0` is zero, as in Go.
 *
 * @throws {SyntaxError} saying what was expected and quoting the input.
 */
export function parseGoDuration(text: string): number {
  const input = text.trim();
  let rest = input;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") {
    throw new SyntaxError(
      `Expected a Go duration such as "10s", "1m30s" or "250ms", got "${text}"`,
    );
  }
  let total = 0;
  while (rest !== "") {
    const match = TERM.exec(rest);
    if (match === null) {
      const hint = /^\d+(?:\.\d*)?$/.test(rest) ? " (a unit is required: ns, us, ms, s, m, h)" : "";
      throw new SyntaxError(
        `Expected a Go duration such as "10s", "1m30s" or "250ms", got "${text}"${hint}`,
      );
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** Formats milliseconds as a short Go-style duration (`10s`, `1m30s`, `250ms`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${sign}${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
}
