import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { image } from './spec-helpers.js';
import { sniffImageFormat } from './sniff.js';

describe('sniffImageFormat', () => {
  const cases: Array<[string, string]> = [
    ['progressive_6000x4000.jpg', 'jpeg'],
    ['truncated_10000_bytes.jpg', 'jpeg'],
    ['png_16bit_rgb.png', 'png'],
    ['animated_30frames.gif', 'gif'],
    ['iphone7_display_p3.heic', 'heif'],
    ['hdr_10bit_p3_nclx.avif', 'avif'],
  ];
  for (const [name, format] of cases) {
    it(`detects ${format} in ${name} from its bytes`, () => {
      assert.deepEqual(sniffImageFormat(image(name)), { accepted: true, format });
    });
  }

  it('detects WebP and TIFF signatures', () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);
    assert.deepEqual(sniffImageFormat(webp), { accepted: true, format: 'webp' });
    assert.deepEqual(sniffImageFormat(Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])), { accepted: true, format: 'tiff' });
    assert.deepEqual(sniffImageFormat(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8])), { accepted: true, format: 'tiff' });
  });

  it('ignores what the bytes claim to be named and names common non-images', () => {
    assert.deepEqual(sniffImageFormat(Buffer.from('hello, this is not a photo\n')), { accepted: false, detected: 'text' });
    assert.deepEqual(sniffImageFormat(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')), {
      accepted: false,
      detected: 'svg',
    });
    assert.deepEqual(sniffImageFormat(Buffer.from('%PDF-1.7\n')), { accepted: false, detected: 'pdf' });
    assert.deepEqual(sniffImageFormat(Buffer.from([0x42, 0x4d, 0x3a, 0, 0, 0])), { accepted: false, detected: 'bmp' });
    assert.deepEqual(sniffImageFormat(Buffer.alloc(0)), { accepted: false, detected: 'empty file' });
    assert.deepEqual(sniffImageFormat(Buffer.from([0x00, 0x01, 0x02, 0xfe])), { accepted: false, detected: 'unknown binary data' });
  });

  it('rejects ISO media that is neither HEIF nor AVIF (e.g. an MP4 video)', () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4), Buffer.from('isomiso2')]);
    assert.deepEqual(sniffImageFormat(mp4), { accepted: false, detected: 'ISO media (isom)' });
  });
});
