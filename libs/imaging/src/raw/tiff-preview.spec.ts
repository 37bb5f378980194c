import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { fixture } from '../../../../test/support/fixtures.js';
import { writeSyntheticDng } from './testing/synthetic-dng.js';
import { jpegFrameSize, readTiffPreview } from './tiff-preview.js';

const raw = (...f: string[]) => fixture('raw', ...f);

describe('readTiffPreview (embedded JPEG previews read in-process)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revela-tiff-preview-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds the largest preview of a NEF (SubIFD), an ARW (IFD0) and a DNG (reduced-resolution SubIFD)', async () => {
    for (const [file, width, height] of [
      [raw('broken', 'nikon_d7100_truncated.nef'), 6000, 4000],
      [raw('broken', 'sony_slt-a55_truncated.arw'), 1616, 1080],
      [raw('canon_eos_6d_lossy_reduced.dng'), 1024, 683],
    ] as const) {
      const preview = await readTiffPreview(file);
      assert.ok(preview, file);
      assert.deepEqual([preview.width, preview.height, preview.extractor], [width, height, 'tiff-ifd'], file);
      const decoded = await sharp(preview.jpeg).metadata();
      assert.deepEqual([decoded.format, decoded.width, decoded.height], ['jpeg', width, height], file);
    }
  });

  it("carries the RAW's own EXIF for the renditions", async () => {
    const preview = await readTiffPreview(raw('broken', 'nikon_d7100_truncated.nef'));
    assert.equal(preview?.exif?.IFD0?.Make?.toLowerCase().startsWith('nikon'), true);
    assert.equal(preview?.exif?.IFD0?.Model, 'NIKON D7100');
  });

  it('answers null for files that are not TIFF-based or hold no JPEG preview', async () => {
    assert.equal(await readTiffPreview(raw('canon_eos_d30.crw')), null, 'CIFF, not TIFF: left to LibRaw');
    assert.equal(await readTiffPreview(raw('nikon_d1.nef')), null, 'only an uncompressed thumbnail');
    const dng = path.join(dir, 'synthetic.dng');
    await writeSyntheticDng(dng, { width: 64, height: 48 });
    assert.equal(await readTiffPreview(dng), null, 'raw sensor data only');
  });

  it('never reads past the end of the file: a preview cut off by truncation is not answered', async () => {
    const file = raw('broken', 'sony_slt-a55_truncated.arw');
    const whole = await readFile(file);
    const preview = (await readTiffPreview(file))!;
    const cut = path.join(dir, 'cut.arw');
    await writeFile(cut, whole.subarray(0, whole.indexOf(preview.jpeg) + preview.jpeg.length / 2));
    const fromCut = await readTiffPreview(cut);
    assert.notEqual(fromCut?.width, 1616, 'the cut-off 1616×1080 preview');
  });

  it('reads frame sizes only from baseline and progressive JPEGs (lossless JPEG raw data is not a preview)', async () => {
    const jpeg = await sharp({ create: { width: 33, height: 17, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    assert.deepEqual(jpegFrameSize(jpeg), { width: 33, height: 17 });
    const lossless = Buffer.from(jpeg);
    const sof = lossless.indexOf(Buffer.from([0xff, 0xc0]));
    lossless[sof + 1] = 0xc3;
    assert.equal(jpegFrameSize(lossless), null);
    assert.equal(jpegFrameSize(Buffer.from('not a jpeg')), null);
  });
});
