import cliProgress from 'cli-progress';
import type { Output } from './output.js';

export interface FileProgress {
  advance(delta: number): void;
  finish(note: string): void;
}

export interface TransferProgress {
  file(name: string, bytes: number): FileProgress;
  stop(): void;
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/**
 * Progress of many transfers: on a terminal, an overall bar plus one bar per file in flight
 * (cli-progress); elsewhere (pipes, CI) and with --json, one line per finished file (all on stderr).
 */
export function transferProgress(output: Output, files: number, totalBytes: number, alreadyDone = 0): TransferProgress {
  let finished = alreadyDone;
  if (output.json || !process.stderr.isTTY) {
    return {
      file: (name) => ({
        advance: () => undefined,
        finish: (note) => output.info(`[${++finished}/${files}] ${note} ${name}`),
      }),
      stop: () => undefined,
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: '{bar} {percentage}% | {name} | {sent}/{size} MB',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let sentTotal = 0;
  const overall = bars.create(totalBytes, 0, { name: `${alreadyDone}/${files} files`, sent: mb(0), size: mb(totalBytes) });
  return {
    file(name, bytes) {
      let sent = 0;
      const bar = bars.create(bytes, 0, { name, sent: mb(0), size: mb(bytes) });
      return {
        advance(delta) {
          sent += delta;
          sentTotal += delta;
          bar.update(sent, { sent: mb(sent) });
          overall.update(sentTotal, { sent: mb(sentTotal) });
        },
        finish(note) {
          finished++;
          bars.log(`${note} ${name}\n`);
          overall.update(sentTotal, { name: `${finished}/${files} files` });
          bars.remove(bar); // redraws, which also prints the line logged above
        },
      };
    },
    stop: () => bars.stop(),
  };
}

/** A job's development: a bar on a terminal, a line per change elsewhere. */
export function jobProgress(output: Output): {
  update(status: string, progress: number, done: number, failed: number, total: number): void;
  stop(): void;
} {
  if (output.json || !process.stderr.isTTY) {
    let last = '';
    return {
      update(status, progress, done, failed, total) {
        const line = `job ${status}: ${Math.round(progress)}% (${done} done, ${failed} failed of ${total})`;
        if (line !== last) output.info((last = line));
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'developing {bar} {percentage}% | {status} | {done} done, {failed} failed of {total}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { status: 'queued', done: 0, failed: 0, total: 0 });
  return {
    update: (status, progress, done, failed, total) => bar.update(Math.round(progress), { status, done, failed, total }),
    stop: () => bar.stop(),
  };
}
