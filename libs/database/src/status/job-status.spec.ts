import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canJobMove, finalJobStatus, isTerminalJob, jobSourcesOf, RETRYABLE_JOB_STATUSES } from './job-status.js';

describe('job status rules', () => {
  it('follows draft → queued → processing → terminal', () => {
    assert.equal(canJobMove('draft', 'queued'), true);
    assert.equal(canJobMove('queued', 'processing'), true);
    assert.equal(canJobMove('processing', 'completed'), true);
    assert.equal(canJobMove('draft', 'processing'), false, 'a draft must be submitted first');
    assert.equal(canJobMove('processing', 'queued'), false);
  });

  it('never leaves a terminal status', () => {
    for (const terminal of ['completed', 'completed_with_errors', 'failed', 'canceled'] as const) {
      assert.equal(isTerminalJob(terminal), true);
      for (const next of ['queued', 'processing', 'canceled', 'completed'] as const) assert.equal(canJobMove(terminal, next), false);
    }
  });

  it('derives the final status from file outcomes', () => {
    assert.equal(finalJobStatus({ done: 3, failed: 0 }), 'completed');
    assert.equal(finalJobStatus({ done: 2, failed: 1 }), 'completed_with_errors');
    assert.equal(finalJobStatus({ done: 0, failed: 2 }), 'failed');
  });
});

describe('job status sources', () => {
  it('names the statuses a cancel may start from', () => {
    assert.deepEqual(jobSourcesOf('canceled'), ['draft', 'queued', 'processing']);
    assert.deepEqual(jobSourcesOf('queued'), ['draft']);
  });
});

describe('job retries', () => {
  it('reopens only finished jobs that have failures: never a completed, canceled or running one', () => {
    assert.deepEqual([...RETRYABLE_JOB_STATUSES].sort(), ['completed_with_errors', 'failed']);
    for (const status of RETRYABLE_JOB_STATUSES) assert.equal(isTerminalJob(status), true, `${status} is finished`);
  });
});
