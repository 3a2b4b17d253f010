/**
 * A pool of module Web Workers for CPU-heavy work (XDR decoding, TTP extraction, Parquet
 * encoding), and {@linkcode mapOrdered}, which runs work concurrently with bounded read-ahead and
 * yields results in input order.
 *
 * Main thread:
 * ```ts
 * import { mapOrdered, WorkerPool } from "../shared/worker_pool/mod.ts";
 * const pool = new WorkerPool<Uint8Array, number>({
 *   url: new URL("./my_worker.ts", import.meta.url),
 *   size: 2,
 * });
 * for await (const n of mapOrdered(chunks, (c) => pool.run(c, [c.buffer]), { concurrency: 4 })) {
 *   console.log(n);
 * }
 * pool.close();
 * ```
 *
 * Worker (`my_worker.ts`):
 * ```ts
 * import { serveWorker } from "../shared/worker_pool/mod.ts";
 * serveWorker((bytes: Uint8Array) => bytes.length);
 * ```
 *
 * @module
 */

/** A task's failure inside a worker, rebuilt on the main thread with the original name. */
export class WorkerTaskError extends Error {
  /** Own enumerable properties of the original error (e.g. `code`, `ledger`), if cloneable. */
  readonly details: Record<string, unknown>;
  /** Rebuilds an error from a worker's message. */
  constructor(name: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = name;
    this.details = details;
  }
}

interface TaskMessage<Req> {
  id: number;
  request: Req;
}

interface ResultMessage<Res> {
  id: number;
  ok: true;
  result: Res;
}

interface ErrorMessage {
  id: number;
  ok: false;
  error: { name: string; message: string; stack?: string; details: Record<string, unknown> };
}

/** What a worker handler may return: the result, or the result with buffers to transfer. */
export type HandlerResult<Res> = Res | { result: Res; transfer: Transferable[] };

function isTransferResult<Res>(value: unknown): value is { result: Res; transfer: Transferable[] } {
  return typeof value === "object" && value !== null && "transfer" in value && "result" in value &&
    Array.isArray((value as { transfer: unknown }).transfer);
}

function cloneableDetails(error: unknown): Record<string, unknown> {
  if (typeof error !== "object" || error === null) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    try {
      out[key] = structuredClone(value);
    } catch {
      out[key] = String(value);
    }
  }
  return out;
}

/**
 * Runs inside a worker: answers each task with `handler(request)`. To transfer buffers of the
 * result instead of copying them, return `{ result, transfer: [buffer, ...] }`.
 */
export function serveWorker<Req, Res>(
  handler: (request: Req) => HandlerResult<Res> | Promise<HandlerResult<Res>>,
): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<TaskMessage<Req>>) => void) | null;
    postMessage: (message: unknown, transfer?: Transferable[]) => void;
  };
  scope.onmessage = async (event) => {
    const { id, request } = event.data;
    try {
      const out = await handler(request);
      if (isTransferResult<Res>(out)) {
        scope.postMessage({ id, ok: true, result: out.result }, out.transfer);
      } else {
        scope.postMessage({ id, ok: true, result: out });
      }
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const message: ErrorMessage = {
        id,
        ok: false,
        error: { name: e.name, message: e.message, stack: e.stack, details: cloneableDetails(e) },
      };
      scope.postMessage(message);
    }
  };
}

/**
 * Resolves a worker module URL for source runs and for single-file bundles alike. In a bundle
 * (`deno bundle` output) every module's `import.meta.url` is the bundle's, and workers are
 * bundled beside it as `<name>.js`; so when `url` names a `.ts` file that does not exist, the
 * `.js` file of the same name in the same folder is used if it exists. Other URLs are returned
 * unchanged.
 */
export function resolveWorkerUrl(url: URL | string): URL | string {
  const u = new URL(url);
  if (u.protocol !== "file:" || !u.pathname.endsWith(".ts")) return url;
  const exists = (candidate: URL) => {
    try {
      return Deno.statSync(candidate).isFile;
    } catch {
      return false;
    }
  };
  if (exists(u)) return url;
  const bundled = new URL(u.pathname.replace(/\.ts$/, ".js").split("/").pop()!, u);
  return exists(bundled) ? bundled : url;
}

/** Options of a {@linkcode WorkerPool}. */
export interface WorkerPoolOptions {
  /** Module URL of the worker script (it calls {@linkcode serveWorker}). */
  url: URL | string;
  /** Number of workers, at least 1. */
  size: number;
  /** Name used in worker names and error messages. */
  name?: string;
}

interface Pending<Res> {
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
}

interface Slot<Res> {
  worker: Worker;
  pending: Map<number, Pending<Res>>;
}

/**
 * A fixed-size pool of module workers. Each task goes to the worker with the fewest tasks in
 * flight. A worker that crashes fails its tasks with a clear error and is replaced.
 */
export class WorkerPool<Req, Res> {
  /** Number of workers. */
  readonly size: number;
  /** Name used in worker names and errors. */
  readonly name: string;
  #url: URL | string;
  #slots: Slot<Res>[] = [];
  #nextId = 1;
  #closed = false;

  /** Starts `options.size` workers. */
  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`Expected a worker pool size >= 1, got ${options.size}`);
    }
    this.size = options.size;
    this.name = options.name ?? "worker";
    this.#url = resolveWorkerUrl(options.url);
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn(i));
  }

  #spawn(index: number): Slot<Res> {
    const worker = new Worker(this.#url, { type: "module", name: `${this.name}-${index}` });
    const slot: Slot<Res> = { worker, pending: new Map() };
    worker.onmessage = (event: MessageEvent<ResultMessage<Res> | ErrorMessage>) => {
      const message = event.data;
      const task = slot.pending.get(message.id);
      if (!task) return;
      slot.pending.delete(message.id);
      if (message.ok) task.resolve(message.result);
      else {
        const { name, message: text, details } = message.error;
        task.reject(new WorkerTaskError(name, text, details));
      }
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const error = new WorkerTaskError(
        "WorkerCrashed",
        `Worker ${this.name}-${index} crashed: ${event.message}`,
      );
      for (const task of slot.pending.values()) task.reject(error);
      slot.pending.clear();
      worker.terminate();
      if (!this.#closed) this.#slots[index] = this.#spawn(index);
    };
    return slot;
  }

  /** Tasks in flight across all workers. */
  get pending(): number {
    return this.#slots.reduce((n, s) => n + s.pending.size, 0);
  }

  /**
   * Runs one task. `transfer` lists buffers of the request to move to the worker (they become
   * unusable here).
   */
  run(request: Req, transfer: Transferable[] = []): Promise<Res> {
    if (this.#closed) {
      return Promise.reject(new Error(`Worker pool ${this.name} is closed; expected an open pool`));
    }
    let slot = this.#slots[0];
    for (const s of this.#slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.#nextId++;
    return new Promise<Res>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, request } satisfies TaskMessage<Req>, transfer);
    });
  }

  /** Terminates all workers; tasks in flight fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) {
      for (const task of slot.pending.values()) {
        task.reject(new Error(`Worker pool ${this.name} closed while the task was running`));
      }
      slot.pending.clear();
      slot.worker.terminate();
    }
  }

  /** Same as {@linkcode WorkerPool.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Options of {@linkcode mapOrdered}. */
export interface MapOrderedOptions {
  /** Maximum tasks in flight (read-ahead), at least 1. */
  concurrency: number;
  /** Stops pulling new items when aborted; the generator then throws the abort reason. */
  signal?: AbortSignal;
}

/**
 * Maps `source` through `fn` with at most `concurrency` calls in flight and yields results in
 * the order of `source`. Each result is yielded as soon as it and those before it are ready: the
 * next item of `source` is pulled in the background, never awaited before a ready result is
 * handed on (a live tail whose next item arrives much later does not hold back the previous
 * result). An error of `fn` is thrown when its item's turn comes; an error of `source` after
 * the results before it. Stopping the consumer (break / return) stops pulling from `source` and
 * closes it.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T) => Promise<R>,
  options: MapOrderedOptions,
): AsyncGenerator<R, void, undefined> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`Expected concurrency >= 1, got ${options.concurrency}`);
  }
  const iterator = Symbol.asyncIterator in source
    ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (source as Iterable<T>)[Symbol.iterator]();
  const inFlight: Promise<R>[] = [];
  let exhausted = false;
  let stopped = false;
  let pulling = false;
  let sourceError: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const pump = () => {
    if (pulling || exhausted || stopped || sourceError || inFlight.length >= options.concurrency) {
      return;
    }
    if (options.signal?.aborted) {
      sourceError = { error: options.signal.reason };
      notify();
      return;
    }
    pulling = true;
    Promise.resolve(iterator.next()).then((next) => {
      pulling = false;
      if (stopped) return;
      if (next.done) exhausted = true;
      else {
        const task = fn(next.value);
        task.catch(() => {}); // surfaced in order below
        inFlight.push(task);
      }
      notify();
      pump();
    }, (error) => {
      pulling = false;
      sourceError = { error };
      notify();
    });
  };
  try {
    pump();
    while (true) {
      if (inFlight.length > 0) {
        const result = await inFlight[0];
        inFlight.shift();
        pump();
        yield result;
        continue;
      }
      if (sourceError) throw sourceError.error;
      if (exhausted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        pump();
      });
    }
  } finally {
    stopped = true;
    if (!exhausted && !sourceError) {
      // With a pull in progress, an async generator queues return() behind the pending next(),
      // which in a live tail may never come: close without waiting (abort the source's own
      // signal to interrupt the pull itself).
      const closing = Promise.resolve(iterator.return?.()).catch(() => {});
      if (!pulling) await closing;
    }
  }
}
