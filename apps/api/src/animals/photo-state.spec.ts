import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, isTerminal, sourcesOf } from './photo-state.js';

describe('photo state', () => {
  it('moves forward only', () => {
    assert.equal(canTransition('pending_upload', 'processing'), true);
    assert.equal(canTransition('processing', 'ready'), true);
    assert.equal(canTransition('processing', 'failed'), true);
    assert.equal(canTransition('processing', 'pending_upload'), false);
    assert.equal(canTransition('processing', 'processing'), false);
  });

  it('lets a result overtake the upload notice', () => {
    assert.equal(canTransition('pending_upload', 'ready'), true);
    assert.equal(canTransition('pending_upload', 'failed'), true);
  });

  it('never leaves a terminal state', () => {
    for (const terminal of ['ready', 'failed'] as const) {
      assert.equal(isTerminal(terminal), true);
      for (const to of ['pending_upload', 'processing', 'ready', 'failed'] as const) assert.equal(canTransition(terminal, to), false);
    }
    assert.equal(isTerminal('processing'), false);
  });

  it('names the statuses a guarded update may start from', () => {
    assert.deepEqual(sourcesOf('processing'), ['pending_upload']);
    assert.deepEqual(sourcesOf('ready'), ['pending_upload', 'processing']);
    assert.deepEqual(sourcesOf('pending_upload'), []);
  });
});
