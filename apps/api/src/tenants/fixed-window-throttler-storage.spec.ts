import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage.js';

describe('fixed-window throttler storage', () => {
  it('counts hits per key and blocks above the limit until the window ends', async () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const storage = new FixedWindowThrottlerStorage();
      const hit = (key: string) => storage.increment(key, 60_000, 3, 0, 'default');
      for (let i = 1; i <= 3; i += 1)
        assert.deepEqual(await hit('a'), { totalHits: i, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
      const fourth = await hit('a');
      assert.equal(fourth.isBlocked, true);
      assert.equal(fourth.timeToBlockExpire, 60);
      assert.equal((await hit('b')).isBlocked, false, 'keys are independent');

      mock.timers.tick(59_000);
      assert.equal((await hit('a')).isBlocked, true);
      mock.timers.tick(1_000);
      assert.deepEqual(await hit('a'), { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 }, 'a new window starts');
    } finally {
      mock.timers.reset();
    }
  });
});
