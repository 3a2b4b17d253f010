/**
 * Generic helpers over sequences that components share.
 *
 * @module
 */
export { chunkBySize, type ChunkLimits } from "./chunk_by_size.ts";
