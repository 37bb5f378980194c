import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PRESET } from '#imaging';
import { presetProblems, resolvePreset } from './preset-resolution.js';

describe('preset resolution', () => {
  it('uses the default preset when none is given', () => {
    assert.deepEqual(resolvePreset(undefined), DEFAULT_PRESET);
  });

  it('keeps what the client set and fills the rest', () => {
    const preset = resolvePreset({ colour: { exposure: 0.5 }, metadata: { copyright: '© Lumen' }, source: 'raw' });
    assert.equal(preset.colour.exposure, 0.5);
    assert.equal(preset.colour.whiteBalance, 'camera');
    assert.equal(preset.metadata.copyright, '© Lumen');
    assert.equal(preset.metadata.stripGps, true);
    assert.equal(preset.source, 'raw');
    assert.deepEqual(preset.variants, DEFAULT_PRESET.variants);
  });

  it('flags duplicate variant names with the field path', () => {
    const preset = resolvePreset({
      variants: [
        { name: 'web', longEdge: 2048, format: 'jpeg', quality: 80 },
        { name: 'web', longEdge: 400, format: 'webp', quality: 80 },
      ],
    });
    assert.deepEqual(presetProblems(preset), [{ field: 'preset.variants.1.name', message: 'variant name "web" is used twice' }]);
  });
});
