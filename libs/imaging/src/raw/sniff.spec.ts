import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture } from '../../../../test/support/fixtures.js';
import { sniffFile } from './sniff.js';

describe('sniffFile', () => {
  const cases: Array<[string, string, Partial<Record<'raw' | 'developed' | 'dng' | 'gpr', boolean>>]> = [
    ['raw/nikon_d1.nef', 'tiff-raw', { raw: true, developed: false }],
    ['raw/canon_eos_d30.crw', 'crw', { raw: true }],
    ['raw/lg_g4_h815_sample_1mp.dng', 'tiff-raw', { dng: true, gpr: false }],
    ['raw/canon_eos_6d_lossy_reduced.dng', 'tiff-raw', { dng: true, gpr: false }],
    ['raw/kodak_dc50.kdc', 'kdc', { raw: true }],
    ['raw/kodak_c330_headerless.raw', 'unknown', { raw: true, developed: false }],
    ['raw/gopro_hero6_black.gpr', 'tiff-raw', { dng: true, gpr: true }],
    ['raw/broken/nikon_d7100_truncated.nef', 'tiff-raw', { raw: true }],
    ['raw/broken/sony_slt-a55_truncated.arw', 'tiff-raw', { raw: true }],
    ['raw/broken/iphone12pro_pruned.dng', 'tiff-raw', { dng: true }],
    ['raw/broken/canon_eos_r6_pruned.cr3', 'cr3', { raw: true }],
    ['raw/broken/nikon_d70s_jpeg_with_nef_extension.nef', 'jpeg', { raw: false, developed: true }],
    ['images/png_16bit_rgb.png', 'png', { developed: true }],
    ['images/iphone7_display_p3.heic', 'heif', { developed: true }],
    ['images/orientation_6.jpg', 'jpeg', { developed: true }],
  ];
  for (const [file, kind, flags] of cases) {
    it(`${file} is ${kind}`, async () => {
      const s = await sniffFile(fixture(file));
      assert.equal(s.kind, kind, s.label);
      assert.ok(s.size > 0);
      for (const [k, v] of Object.entries(flags)) assert.equal(Boolean(s[k as keyof typeof s]), v, `${k} for ${file}`);
    });
  }

  it('reads make and model of TIFF-based RAWs', async () => {
    const s = await sniffFile(fixture('raw/nikon_d1.nef'));
    assert.match(s.make ?? '', /nikon/i);
    assert.match(s.model ?? '', /D1/);
  });

  it('classifies a plain TIFF as developed, not RAW', async () => {
    const { default: sharp } = await import('sharp');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sniff-'));
    try {
      const p = path.join(dir, 'plain.tif');
      await sharp({ create: { width: 32, height: 16, channels: 3, background: '#336699' } })
        .tiff()
        .toFile(p);
      const s = await sniffFile(p);
      assert.equal(s.kind, 'tiff');
      assert.equal(s.developed, true);
      assert.equal(s.raw, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
