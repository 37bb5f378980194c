import { Worker } from 'node:worker_threads';

/** What a pool thread answers for one task (see `serveThreadTasks`). */
export type ThreadReply<O> =
  | { type: 'result'; id: number; ok: true; value: O }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string; stack?: string } }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

export interface ThreadPool<I, O> {
  /** Runs one task on a free thread (queued while all are busy). */
  run(input: I): Promise<O>;
  /** Terminates every thread; tasks still queued or running are rejected. */
  close(): Promise<void>;
}

interface Task<I, O> {
  id: number;
  input: I;
  resolve(value: O): void;
  reject(error: Error): void;
}

interface Slot<I, O> {
  worker: Worker;
  task?: Task<I, O>;
}

/**
 * A fixed number of worker threads, started on the first task, each running `file` with
 * `workerData`. A thread that dies fails its task and is replaced by the next task that needs one.
 * Hand-written rather than piscina (not a dependency yet): the threads must relay the handler's log
 * lines while a task runs, which piscina offers only through a MessagePort per task.
 */
export function createThreadPool<I, O>(options: {
  file: URL;
  size: number;
  workerData: unknown;
  onLog?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}): ThreadPool<I, O> {
  const slots: Array<Slot<I, O>> = [];
  const queue: Array<Task<I, O>> = [];
  let nextId = 1;
  let closed = false;

  const start = (): Slot<I, O> => {
    const slot: Slot<I, O> = { worker: new Worker(options.file, { workerData: options.workerData }) };
    slot.worker.unref();
    slot.worker.on('message', (reply: ThreadReply<O>) => {
      if (reply.type === 'log') {
        options.onLog?.(reply.level, reply.message, reply.fields);
        return;
      }
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      finish(slot);
      if (reply.ok) task.resolve(reply.value);
      else task.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }));
    });
    const die = (error: Error) => {
      const index = slots.indexOf(slot);
      if (index < 0) return;
      slots.splice(index, 1);
      slot.task?.reject(error);
      slot.task = undefined;
      pump();
    };
    slot.worker.on('error', die);
    slot.worker.on('exit', (code) => die(new Error(`thumbnail thread exited with code ${code}`)));
    slots.push(slot);
    return slot;
  };

  const finish = (slot: Slot<I, O>) => {
    slot.task = undefined;
    slot.worker.unref();
    pump();
  };

  const pump = () => {
    while (!closed && queue.length > 0) {
      const slot = slots.find((candidate) => !candidate.task) ?? (slots.length < options.size ? start() : undefined);
      if (!slot) return;
      const task = queue.shift()!;
      slot.task = task;
      // A thread at work keeps the process alive, an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, input: task.input });
    }
  };

  return {
    run(input) {
      if (closed) return Promise.reject(new Error('the thread pool is closed'));
      return new Promise<O>((resolve, reject) => {
        queue.push({ id: nextId++, input, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error('the thread pool is closed'));
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}
