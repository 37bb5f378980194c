import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { createAsyncInvoker } from './async-invoker.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets promise callbacks and setImmediate (never mocked here) run, without moving the mocked clock. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('createAsyncInvoker', () => {
  it('never runs the handler inside dispatch, and keeps at most `concurrency` in flight', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const invoker = createAsyncInvoker<number>(
      async (n) => {
        running++;
        peak = Math.max(peak, running);
        await tick(5);
        seen.push(n);
        running--;
      },
      { concurrency: 2, retries: 0, backoffMs: 1 },
    );
    for (let i = 0; i < 6; i++) invoker.dispatch(i);
    assert.equal(running, 0, 'nothing ran synchronously');
    await invoker.idle();
    assert.equal(peak, 2);
    assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
  });

  afterEach(() => mock.timers.reset());

  it('retries a failing event up to `retries` times after the requested delays (20 ms, then 40 ms), then gives up', async () => {
    // setTimeout is mocked: the test moves the clock itself and sees exactly when each retry is due.
    mock.timers.enable({ apis: ['setTimeout'] });
    let attempts = 0;
    const gaveUp: number[] = [];
    const invoker = createAsyncInvoker<string>(
      async () => {
        attempts++;
        throw new Error('boom');
      },
      { concurrency: 2, retries: 2, backoffMs: 20, onGiveUp: (_error, count) => gaveUp.push(count) },
    );
    invoker.dispatch('x');
    await settle();
    assert.equal(attempts, 1);
    mock.timers.tick(19);
    await settle();
    assert.equal(attempts, 1, 'the first retry waits backoffMs');
    mock.timers.tick(1);
    await settle();
    assert.equal(attempts, 2, 'the first retry runs after 20 ms');
    mock.timers.tick(39);
    await settle();
    assert.equal(attempts, 2, 'the second retry waits twice as long');
    assert.deepEqual(gaveUp, []);
    mock.timers.tick(1);
    await settle();
    assert.equal(attempts, 3, 'the second retry runs 40 ms after the first');
    await invoker.idle();
    assert.deepEqual(gaveUp, [3]);
    mock.timers.tick(10_000);
    await settle();
    assert.equal(attempts, 3, 'no attempt after giving up');
  });

  it('stops retrying once a later attempt succeeds', async () => {
    let calls = 0;
    const invoker = createAsyncInvoker<string>(
      async () => {
        calls++;
        if (calls === 1) throw new Error('transient');
      },
      { concurrency: 1, retries: 2, backoffMs: 1 },
    );
    invoker.dispatch('x');
    await invoker.idle();
    assert.equal(calls, 2);
  });

  it('on close, drops a pending retry and the queued events, and resolves once the running one ends', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const calls: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const invoker = createAsyncInvoker<number>(
      async (n) => {
        calls.push(n);
        if (n === 1) throw new Error('fail'); // fails at once: its retry is now pending, due in 1000 ms
        await gate; // 2 is running when the invoker closes, 3 is queued behind it
      },
      { concurrency: 1, retries: 2, backoffMs: 1000 },
    );
    invoker.dispatch(1);
    invoker.dispatch(2);
    invoker.dispatch(3);
    await settle();
    assert.deepEqual(calls, [1, 2], 'event 1 failed with its retry pending, 2 is running, 3 is queued');

    let closed = false;
    void invoker.close().then(() => (closed = true));
    await settle();
    assert.equal(closed, false, 'close waits for the running event');
    release();
    await settle();
    // Without the clock moving: close does not wait for the retry's timer, nor for the queued event.
    assert.equal(closed, true, 'close resolved once event 2 ended, the retry and event 3 dropped');
    invoker.dispatch(4);
    mock.timers.tick(10_000);
    await settle();
    assert.deepEqual(calls, [1, 2], 'neither the retry of 1, nor 3, nor 4 dispatched after close ever ran');
  });
});
