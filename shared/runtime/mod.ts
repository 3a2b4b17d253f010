/**
 * How the services' Deno runtime is started (flags that cannot be set from inside).
 *
 * @module
 */
export { rerunWithV8Flags, SERVICE_V8_FLAGS, v8FlagsArg } from "./v8_flags.ts";
