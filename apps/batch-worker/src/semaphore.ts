/** Limits how many tasks hold a resource (here: CPU-bound developing) at once. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  private available: number;

  constructor(permits: number) {
    this.available = permits;
  }

  /** Runs `task` with a permit. When `signal` aborts while waiting for one, rejects with its reason instead. */
  async use<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.available > 0) this.available -= 1;
    else await this.acquire(signal);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.available += 1;
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((waiter) => waiter !== granted);
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(granted);
    });
  }
}
