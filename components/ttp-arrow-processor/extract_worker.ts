/**
 * Web Worker running {@linkcode runExtractTask}: the task's XDR buffers arrive transferred, the
 * result's IPC bytes or Flight messages are transferred back.
 *
 * @module
 */
import { prepareScan } from "../../shared/ttp/mod.ts";
import { serveWorker } from "../../shared/worker_pool/mod.ts";
import {
  type ExtractResult,
  type ExtractTask,
  resultTransfer,
  runExtractTask,
} from "./extract_task.ts";

// The walkers' code is generated now, while the processor starts, not on the first ledger.
prepareScan();

serveWorker<ExtractTask, ExtractResult>((task) => {
  const result = runExtractTask(task);
  return { result, transfer: resultTransfer(result) };
});
