/**
 * Preloaded (`node --import`) into a process under load: answers an IPC `probe` message with the
 * process's memory and its event-loop delay since the last `probe:reset`. The process itself is
 * untouched: nothing else listens to IPC, and the channel does not keep it alive. `probe:gc` needs
 * `--expose-gc` and reads the heap after a full collection.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeReading {
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

if (process.send) {
  process.on('message', (message) => {
    if (message === 'probe:reset') {
      delay.reset();
      return;
    }
    if (message !== 'probe' && message !== 'probe:gc') return;
    // Two passes: the first can leave objects whose finalizers free more.
    if (message === 'probe:gc' && globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    const { rss, heapUsed } = process.memoryUsage();
    const reading: ProbeReading = {
      rssBytes: rss,
      heapUsedBytes: heapUsed,
      eventLoopDelayMs: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
    };
    process.send!({ probe: reading });
  });
  process.channel?.unref();
}
