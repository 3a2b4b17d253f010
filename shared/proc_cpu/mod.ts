/**
 * CPU time of processes and their threads from Linux `/proc`, for benchmarks: CPU time hardly
 * depends on what else the machine runs, unlike rates.
 *
 * @module
 */

function statCpuMs(path: string): number {
  const stat = Deno.readTextFileSync(path);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based, counting pid and comm), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time (user + system) of a process (`self` or a pid), in milliseconds. */
export function procCpuMs(pid: number | "self"): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** CPU time of a process's threads by kind, in milliseconds (see {@linkcode threadCpuMs}). */
export interface ThreadCpu {
  /** The main thread (thread id = process id). */
  main: number;
  /** Web Workers (threads named `worker-N`). */
  workers: number;
  /** V8's helper threads (GC, compilation). */
  v8: number;
  /** Every other thread (Tokio, file system, ...). */
  rest: number;
}

/** CPU time (user + system) of each kind of thread of a process (`self` or a pid). */
export function threadCpuMs(pid: number | "self"): ThreadCpu {
  const id = pid === "self" ? String(Deno.pid) : String(pid);
  const out: ThreadCpu = { main: 0, workers: 0, v8: 0, rest: 0 };
  for (const t of Deno.readDirSync(`/proc/${id}/task`)) {
    let comm: string;
    let ms: number;
    try {
      comm = Deno.readTextFileSync(`/proc/${id}/task/${t.name}/comm`).trim();
      ms = statCpuMs(`/proc/${id}/task/${t.name}/stat`);
    } catch {
      continue; // the thread ended
    }
    if (t.name === id) out.main += ms;
    else if (/^worker-/.test(comm)) out.workers += ms;
    else if (/^V8 /.test(comm)) out.v8 += ms;
    else out.rest += ms;
  }
  return out;
}

/** `after - before`, kind by kind. */
export function threadCpuDelta(before: ThreadCpu, after: ThreadCpu): ThreadCpu {
  return {
    main: after.main - before.main,
    workers: after.workers - before.workers,
    v8: after.v8 - before.v8,
    rest: after.rest - before.rest,
  };
}
