/**
 * Web Worker running {@linkcode runExtractTask}: the task's XDR buffers arrive transferred, the
 * IPC bytes of the result are transferred back.
 *
 * @module
 */
import { serveWorker } from "../../shared/worker_pool/mod.ts";
import { type ExtractResult, type ExtractTask, runExtractTask } from "./extract_task.ts";

serveWorker<ExtractTask, ExtractResult>((task) => {
  const result = runExtractTask(task);
  return result.ipc ? { result, transfer: [result.ipc.buffer as ArrayBuffer] } : result;
});
