import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { isSrgbProfile } from './icc.js';
import { image } from './spec-helpers.js';

async function profileOf(input: Buffer): Promise<Buffer | undefined> {
  return (await sharp(input).metadata()).icc;
}

async function builtInProfile(name: 'srgb' | 'p3'): Promise<Buffer | undefined> {
  const jpeg = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#f00' } })
    .withIccProfile(name)
    .jpeg()
    .toBuffer();
  return profileOf(jpeg);
}

describe('isSrgbProfile', () => {
  it('recognises sRGB profiles by colorants and curves (HP curv tables, parametric curves)', async () => {
    assert.equal(isSrgbProfile(await profileOf(image('progressive_6000x4000.jpg'))), true);
    assert.equal(isSrgbProfile(await profileOf(image('ultrahdr_gain_map.jpg'))), true);
    assert.equal(isSrgbProfile(await builtInProfile('srgb')), true);
  });

  it('rejects wide-gamut, CMYK and grey profiles', async () => {
    assert.equal(isSrgbProfile(await profileOf(image('adobe_rgb_1998.jpg'))), false);
    assert.equal(isSrgbProfile(await builtInProfile('p3')), false);
    assert.equal(isSrgbProfile(await profileOf(image('cmyk_swop_profile.jpg'))), false);
    assert.equal(isSrgbProfile(await profileOf(image('grayscale_gray_icc.jpg'))), false);
  });

  it('rejects sRGB primaries with a plain gamma 2.2 curve', async () => {
    const srgb = Buffer.from((await builtInProfile('srgb'))!);
    // Rewrite each parametric TRC as type 0 (pure power law) with gamma 2.2.
    const count = srgb.readUInt32BE(128);
    for (let i = 0; i < count; i++) {
      const at = 132 + i * 12;
      if (!/^[rgb]TRC$/.test(srgb.toString('latin1', at, at + 4))) continue;
      const offset = srgb.readUInt32BE(at + 4);
      assert.equal(srgb.toString('latin1', offset, offset + 4), 'para');
      srgb.writeUInt16BE(0, offset + 8);
      srgb.writeInt32BE(Math.round(2.2 * 65536), offset + 12);
    }
    assert.equal(isSrgbProfile(srgb), false);
  });

  it('rejects missing and malformed data', () => {
    assert.equal(isSrgbProfile(undefined), false);
    assert.equal(isSrgbProfile(Buffer.alloc(200)), false);
  });
});
