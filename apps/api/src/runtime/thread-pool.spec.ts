import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createThreadPool } from './thread-pool.js';

/** A pool thread: answers its thread id, throws on 'fail', exits the thread on 'die', logs on 'log'. */
const THREAD = `
import { parentPort, threadId, workerData } from 'node:worker_threads';
parentPort.on('message', ({ id, input }) => {
  if (input === 'die') process.exit(3);
  if (input === 'log') parentPort.postMessage({ type: 'log', level: 'warn', message: 'from the thread', fields: { threadId } });
  if (input === 'fail') parentPort.postMessage({ type: 'result', id, ok: false, error: { name: 'Error', message: 'it failed' } });
  else setTimeout(() => parentPort.postMessage({ type: 'result', id, ok: true, value: { threadId, input, data: workerData } }), 20);
});
`;

describe('createThreadPool', () => {
  let dir: string;
  let file: URL;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revela-thread-pool-'));
    await writeFile(path.join(dir, 'thread.mjs'), THREAD);
    file = pathToFileURL(path.join(dir, 'thread.mjs'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs tasks off the calling thread, at most `size` threads, queuing the rest', async () => {
    const pool = createThreadPool<string, { threadId: number; input: string; data: unknown }>({ file, size: 2, workerData: { a: 1 } });
    try {
      const results = await Promise.all(['1', '2', '3', '4', '5'].map((input) => pool.run(input)));
      assert.deepEqual(
        results.map((r) => r.input),
        ['1', '2', '3', '4', '5'],
      );
      assert.deepEqual(results[0].data, { a: 1 });
      const threads = new Set(results.map((r) => r.threadId));
      assert.equal(threads.has(threadId), false, 'never on the calling thread');
      assert.equal(threads.size, 2);
    } finally {
      await pool.close();
    }
  });

  it('rejects with the thread’s error, passes log lines on, and replaces a thread that died', async () => {
    const logs: string[] = [];
    const pool = createThreadPool<string, { threadId: number }>({
      file,
      size: 1,
      workerData: null,
      onLog: (_, message) => logs.push(message),
    });
    try {
      await assert.rejects(pool.run('fail'), /it failed/);
      const first = await pool.run('log');
      assert.deepEqual(logs, ['from the thread']);
      await assert.rejects(pool.run('die'), /exited with code 3/);
      const next = await pool.run('after');
      assert.notEqual(next.threadId, first.threadId, 'a new thread');
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.run('closed'), /closed/);
  });
});
