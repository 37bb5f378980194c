/** Limits how many tasks hold a resource (here: CPU-bound developing) at once. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  private available: number;

  constructor(permits: number) {
    this.available = permits;
  }

  async use<T>(task: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.available += 1;
    }
  }
}
