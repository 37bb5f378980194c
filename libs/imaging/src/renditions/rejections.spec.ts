import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { ImageRejectedError, renderClinicPhoto } from './index.js';
import { image } from './spec-helpers.js';

async function rejection(input: Buffer, options?: { maxPixels?: number }): Promise<ImageRejectedError> {
  try {
    await renderClinicPhoto(input, options);
  } catch (error) {
    assert.ok(error instanceof ImageRejectedError, `expected ImageRejectedError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the image to be rejected');
}

describe('renderClinicPhoto rejections', () => {
  it('refuses a 280 MP JPEG from its header, quickly and without decoding', async () => {
    const input = image('giant_20000x14000.jpg');
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await rejection(input);
    const elapsed = performance.now() - started;
    assert.equal(error.code, 'too-large');
    assert.equal(error.message, 'image is 280 megapixels (20000x14000); the limit is 100');
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`);
    // Decoding even a shrunk copy would need hundreds of MB.
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'memory grew by more than 64 MB');
  });

  it('honours a lower maxPixels', async () => {
    const error = await rejection(image('orientation_1.jpg'), { maxPixels: 2_000_000 });
    assert.equal(error.code, 'too-large');
    assert.equal(error.message, 'image is 2.2 megapixels (1800x1200); the limit is 2');
    const { renditions } = await renderClinicPhoto(image('orientation_1.jpg'), { maxPixels: 2_160_000 });
    assert.equal(renditions.length, 3, 'exactly at the limit is accepted');
  });

  it('refuses truncated JPEG data instead of rendering grey', async () => {
    const error = await rejection(image('truncated_10000_bytes.jpg'));
    assert.equal(error.code, 'corrupt');
    assert.equal(error.message, 'image data is truncated or corrupt');
    assert.match(String((error.cause as Error).message), /premature end/i);
  });

  it('refuses a PNG cut short', async () => {
    const png = image('png_rgba_alpha.png');
    const error = await rejection(png.subarray(0, Math.floor(png.length / 2)));
    assert.equal(error.code, 'corrupt');
  });

  it('refuses a file of text, whatever it is called', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renditions-'));
    try {
      const path = join(dir, 'photo.jpg');
      writeFileSync(path, 'Patient: Rex\nWeight: 31 kg\nThis is not a photo.\n');
      const error = await rejection(readFileSync(path));
      assert.equal(error.code, 'unsupported-format');
      assert.equal(error.message, 'not a supported image (detected: text)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses SVG even though sharp could render it', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    assert.equal((await sharp(svg).metadata()).format, 'svg', 'sharp itself would accept it');
    const error = await rejection(svg);
    assert.equal(error.code, 'unsupported-format');
    assert.equal(error.message, 'not a supported image (detected: svg)');
  });

  it('refuses a JPEG signature followed by garbage', async () => {
    const error = await rejection(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 0x41)]));
    assert.equal(error.code, 'corrupt');
    assert.match(error.message, /^image data is truncated or corrupt/);
  });

  it('HEIC: renders when libvips can decode HEVC, otherwise says decoding is unavailable', async () => {
    const input = image('iphone7_display_p3.heic');
    const hevcAvailable = await sharp(input)
      .resize(8)
      .raw()
      .toBuffer()
      .then(() => true, () => false);
    if (hevcAvailable) {
      const { original, renditions } = await renderClinicPhoto(input);
      assert.deepEqual(original, { format: 'heif', width: 4032, height: 3024, takenAt: '2019-03-21T11:04:22.348Z' });
      assert.deepEqual(renditions.map((r) => [r.width, r.height]), [[160, 160], [480, 360], [1600, 1200]]);
    } else {
      const error = await rejection(input);
      assert.equal(error.code, 'decoder-unavailable');
      assert.equal(error.message, 'HEIC decoding is not available on this server');
    }
  });
});
