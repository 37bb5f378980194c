import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAsyncInvoker } from './async-invoker.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  it('retries a failing event up to `retries` times with growing delays, then gives up', async () => {
    const attempts: number[] = [];
    const gaveUp: number[] = [];
    const invoker = createAsyncInvoker<string>(
      async () => {
        attempts.push(Date.now());
        throw new Error('boom');
      },
      { concurrency: 2, retries: 2, backoffMs: 20, onGiveUp: (_error, count) => gaveUp.push(count) },
    );
    invoker.dispatch('x');
    await invoker.idle();
    assert.equal(attempts.length, 3);
    assert.deepEqual(gaveUp, [3]);
    assert.ok(attempts[1] - attempts[0] >= 18 && attempts[2] - attempts[1] >= 38, 'backoff doubles');
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

  it('drops queued events and pending retries on close', async () => {
    let calls = 0;
    const invoker = createAsyncInvoker<number>(
      async () => {
        calls++;
        await tick(10);
        throw new Error('fail');
      },
      { concurrency: 1, retries: 2, backoffMs: 1000 },
    );
    invoker.dispatch(1);
    invoker.dispatch(2);
    await tick(2);
    await invoker.close();
    invoker.dispatch(3);
    await tick(20);
    assert.equal(calls, 1);
  });
});
