import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readTakenAt, toIsoUtc } from './exif-date.js';
import { image } from './spec-helpers.js';

describe('toIsoUtc', () => {
  it('treats a time without offset as UTC', () => {
    assert.equal(toIsoUtc('2021:07:04 09:30:15', null, null), '2021-07-04T09:30:15.000Z');
  });

  it('applies OffsetTimeOriginal and sub-seconds', () => {
    assert.equal(toIsoUtc('2021:07:04 09:30:15', '25', '+02:00'), '2021-07-04T07:30:15.250Z');
    assert.equal(toIsoUtc('2021:12:31 23:00:00', null, '-05:30'), '2022-01-01T04:30:00.000Z');
  });

  it('gives null for blank or impossible values', () => {
    assert.equal(toIsoUtc('    :  :     :  :  ', null, null), null);
    assert.equal(toIsoUtc('2021:02:30 10:00:00', null, null), null);
    assert.equal(toIsoUtc('2021:02:10 24:00:00', null, null), null);
    assert.equal(toIsoUtc(null, null, null), null);
  });
});

describe('readTakenAt', () => {
  it('reads DateTimeOriginal from real camera EXIF', async () => {
    const { exif } = await sharp(image('cmyk_swop_profile.jpg')).metadata();
    assert.equal(readTakenAt(exif), '2004-03-20T14:54:55.000Z');
  });

  it('reads DateTimeOriginal with sub-seconds (Lightroom export)', async () => {
    const { exif } = await sharp(image('adobe_rgb_1998.jpg')).metadata();
    assert.equal(readTakenAt(exif), '2018-10-27T13:27:23.530Z');
  });

  it('reads a big-endian EXIF block with an offset written by libvips', async () => {
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .withExif({ IFD0: { Make: 'Test' }, IFD2: { DateTimeOriginal: '2023:05:06 07:08:09', OffsetTimeOriginal: '+09:00' } })
      .jpeg()
      .toBuffer();
    const { exif } = await sharp(jpeg).metadata();
    assert.equal(readTakenAt(exif), '2023-05-05T22:08:09.000Z');
  });

  it('gives null without EXIF, without the tag, or for garbage', async () => {
    assert.equal(readTakenAt(undefined), null);
    const { exif } = await sharp(image('orientation_1.jpg')).metadata();
    assert.ok(exif, 'fixture has EXIF');
    assert.equal(readTakenAt(exif), null);
    assert.equal(readTakenAt(Buffer.from('Exif\0\0MM\0*\xff\xff\xff\xff', 'latin1')), null);
  });
});
