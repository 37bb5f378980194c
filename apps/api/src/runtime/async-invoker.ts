/**
 * Calls a handler the way S3 invokes a Lambda function asynchronously: never inside the caller's
 * request, at most `concurrency` invocations in flight, and a failed invocation retried up to
 * `retries` times with growing delays. The embedded runtime feeds s3rver's events through it.
 */
export interface AsyncInvokerOptions {
  concurrency: number;
  /** Retries after the first attempt (AWS: 2). */
  retries: number;
  /** Delay before the first retry; doubled for each further one. */
  backoffMs: number;
  /** Called when an event failed every attempt (the AWS equivalent is the on-failure destination). */
  onGiveUp?: (error: unknown, attempts: number) => void;
  /** Called on each failed attempt that will be retried. */
  onRetry?: (error: unknown, attempt: number) => void;
}

export interface AsyncInvoker<E> {
  /** Queues the event and returns at once. */
  dispatch(event: E): void;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** Stops taking events; resolves when the running ones finish (queued ones are dropped). */
  close(): Promise<void>;
}

export function createAsyncInvoker<E>(handler: (event: E) => Promise<unknown>, options: AsyncInvokerOptions): AsyncInvoker<E> {
  const queue: Array<{ event: E; attempt: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let closed = false;
  let waiters: Array<() => void> = [];

  const settleIfIdle = () => {
    if (running === 0 && queue.length === 0 && timers.size === 0) {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  };

  const pump = () => {
    while (!closed && running < options.concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running++;
      void handler(job.event)
        .catch((error: unknown) => {
          if (closed) return;
          if (job.attempt < options.retries) {
            options.onRetry?.(error, job.attempt + 1);
            const timer = setTimeout(
              () => {
                timers.delete(timer);
                queue.push({ event: job.event, attempt: job.attempt + 1 });
                pump();
              },
              options.backoffMs * 2 ** job.attempt,
            );
            timers.add(timer);
          } else {
            options.onGiveUp?.(error, job.attempt + 1);
          }
        })
        .finally(() => {
          running--;
          pump();
          settleIfIdle();
        });
    }
    settleIfIdle();
  };

  return {
    dispatch(event) {
      if (closed) return;
      queue.push({ event, attempt: 0 });
      // Like S3, never run the handler inside the emitter's call stack (the S3 request).
      setImmediate(pump);
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        setImmediate(pump);
      });
    },
    async close() {
      closed = true;
      queue.length = 0;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
  };
}
