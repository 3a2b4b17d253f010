/**
 * Small async helpers shared by the components.
 *
 * ```ts
 * import { delay } from "../async/mod.ts";
 * await delay(250, signal); // rejects with signal.reason when aborted, at once if already aborted
 * ```
 *
 * @module
 */
export { delay } from "./delay.ts";
