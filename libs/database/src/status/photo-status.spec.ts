import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canPhotoMove, isTerminalPhoto, photoSourcesOf } from './photo-status.js';

describe('photo state', () => {
  it('moves forward only', () => {
    assert.equal(canPhotoMove('pending_upload', 'processing'), true);
    assert.equal(canPhotoMove('processing', 'ready'), true);
    assert.equal(canPhotoMove('processing', 'failed'), true);
    assert.equal(canPhotoMove('processing', 'pending_upload'), false);
    assert.equal(canPhotoMove('processing', 'processing'), false);
  });

  it('lets a result overtake the upload notice', () => {
    assert.equal(canPhotoMove('pending_upload', 'ready'), true);
    assert.equal(canPhotoMove('pending_upload', 'failed'), true);
  });

  it('never leaves a terminal state', () => {
    for (const terminal of ['ready', 'failed'] as const) {
      assert.equal(isTerminalPhoto(terminal), true);
      for (const to of ['pending_upload', 'processing', 'ready', 'failed'] as const) assert.equal(canPhotoMove(terminal, to), false);
    }
    assert.equal(isTerminalPhoto('processing'), false);
  });

  it('names the statuses a guarded update may start from', () => {
    assert.deepEqual(photoSourcesOf('processing'), ['pending_upload']);
    assert.deepEqual(photoSourcesOf('ready'), ['pending_upload', 'processing']);
    assert.deepEqual(photoSourcesOf('pending_upload'), []);
  });
});
