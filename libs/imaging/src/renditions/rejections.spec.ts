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
  it('refuses a 280 MP JPEG from its header', async () => {
    // How fast and in how little memory it is refused is measured by `npm run bench`, not here.
    const error = await rejection(image('giant_20000x14000.jpg'));
    assert.equal(error.code, 'too-large');
    assert.equal(error.message, 'image is 280 megapixels (20000x14000); the limit is 100');
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

  it('refuses a HEIC cut short instead of rendering its missing tiles green', async () => {
    const heic = image('iphone7_display_p3.heic');
    const error = await rejection(heic.subarray(0, Math.floor(heic.length / 2)));
    assert.equal(error.code, 'corrupt');
    assert.equal(error.message, 'image data is truncated or corrupt');
    assert.match(String((error.cause as Error).message), /^HEIF '(mdat|meta)' box ends at byte \d+ but the file has 440351 bytes$/);
  });

  it('refuses a HEIC whose header is cut off', async () => {
    const error = await rejection(image('iphone7_display_p3.heic').subarray(0, 1000));
    assert.equal(error.code, 'corrupt');
    assert.match(error.message, /^image data is truncated or corrupt/);
  });
});
