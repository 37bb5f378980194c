import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextAttemptAt, retryDelaySeconds } from './retry-schedule.js';

const DEFAULTS = { baseSeconds: 30, maxDelaySeconds: 6 * 3600, windowSeconds: 3 * 86_400 };

describe('webhook retry schedule', () => {
  it('doubles the delay after each failure, within [half, whole] of the step, capped', () => {
    assert.equal(
      retryDelaySeconds(1, DEFAULTS, () => 0),
      15,
    );
    assert.equal(
      retryDelaySeconds(1, DEFAULTS, () => 1),
      30,
    );
    assert.equal(
      retryDelaySeconds(2, DEFAULTS, () => 1),
      60,
    );
    assert.equal(
      retryDelaySeconds(5, DEFAULTS, () => 1),
      480,
    );
    assert.equal(
      retryDelaySeconds(40, DEFAULTS, () => 1),
      6 * 3600,
      'capped',
    );
    const jittered = new Set(Array.from({ length: 20 }, () => retryDelaySeconds(3, DEFAULTS)));
    assert.ok(jittered.size > 1, 'jitter spreads retries');
    for (const delay of jittered) assert.ok(delay >= 60 && delay <= 120);
  });

  it('keeps trying for about three days with the defaults, then gives up', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    let now = created;
    let failures = 0;
    for (;;) {
      failures += 1;
      const next = nextAttemptAt(failures, created, now, DEFAULTS, () => 1);
      if (!next) break;
      now = next;
    }
    const hours = (now.getTime() - created.getTime()) / 3_600_000;
    assert.ok(hours > 60 && hours <= 72, `last retry after ${hours.toFixed(1)} h`);
    assert.ok(failures > 10 && failures < 30, `${failures} attempts`);
  });
});
