import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { fixture } from '../../../../test/support/fixtures.js';
import { NativeRawDecoder } from './decoders/native.js';
import { WasmRawDecoder } from './decoders/wasm.js';
import { closeRawDecoders, developRaw } from './develop.js';
import { RawDecodeError } from './errors.js';
import { DEFAULT_PRESET, type ProcessingPreset } from './preset.js';
import { INSTALLED_DECODER, INSTALLED_SOURCE, NATIVE_RAW } from './testing/installed-decoder.js';
import { writeSyntheticDng } from './testing/synthetic-dng.js';

const raw = (f: string) => fixture('raw', f);
/** DEFAULT_PRESET without the full-size variant: the fast path a web gallery needs. */
const small: ProcessingPreset = { ...DEFAULT_PRESET, variants: DEFAULT_PRESET.variants.filter((v) => v.name !== 'full') };
const thumbOnly: ProcessingPreset = { ...DEFAULT_PRESET, variants: [{ name: 'thumb', longEdge: 400, format: 'webp', quality: 80 }] };

async function meanRgb(buf: Buffer): Promise<[number, number, number]> {
  const s = await sharp(buf).stats();
  return [s.channels[0].mean, s.channels[1].mean, s.channels[2].mean];
}

const wasm = new WasmRawDecoder();
after(async () => {
  await wasm.close();
  await closeRawDecoders();
});

// Native dcraw_emu where it is installed, libraw-wasm where it is not (`npm run setup` without root).
describe(`developRaw: the installed decoder (${INSTALLED_SOURCE})`, () => {
  it('Nikon D1 NEF with camera white balance is not magenta', async () => {
    const r = await developRaw(raw('nikon_d1.nef'), thumbOnly, { decoder: INSTALLED_DECODER });
    assert.equal(r.source, INSTALLED_SOURCE);
    assert.equal(r.halfSize, true, '400 px fits into half of 2012 px');
    assert.deepEqual([r.width, r.height], [1006, 662]);
    const [red, green, blue] = await meanRgb(r.variants[0].data);
    // Magenta = green well below red and blue. With -w the channels are balanced.
    assert.ok(green > 0.9 * Math.max(red, blue), `R/G/B ${red}/${green}/${blue}`);
    // Auto white balance (-a) is a different decode of the same data.
    const a = await developRaw(
      raw('nikon_d1.nef'),
      { ...thumbOnly, colour: { ...thumbOnly.colour, whiteBalance: 'auto' } },
      { decoder: INSTALLED_DECODER },
    );
    assert.notDeepEqual(await meanRgb(a.variants[0].data), [red, green, blue]);
  });

  it('decodes at full size when a variant needs more than half the sensor', async () => {
    const r = await developRaw(raw('nikon_d1.nef'), small, { decoder: INSTALLED_DECODER });
    assert.equal(r.halfSize, false);
    assert.deepEqual([r.width, r.height], [2012, 1324]);
    assert.deepEqual(
      r.variants.map((v) => [v.name, v.width, v.height]),
      [
        ['web', 2012, 1324],
        ['thumb', 400, 263],
      ],
    );
  });

  for (const [file, w, h] of [
    ['canon_eos_d30.crw', 1088, 724],
    ['lg_g4_h815_sample_1mp.dng', 600, 338],
    ['canon_eos_6d_lossy_reduced.dng', 1224, 816],
    ['kodak_dc50.kdc', 768, 512], // 400 px does not fit into half (384 px): full size
    ['kodak_c330_headerless.raw', 1216, 912],
  ] as const) {
    it(`decodes ${file}`, async () => {
      const r = await developRaw(raw(file), thumbOnly, { decoder: INSTALLED_DECODER });
      assert.equal(r.source, INSTALLED_SOURCE);
      assert.deepEqual([r.width, r.height], [w, h]);
      const [red, green, blue] = await meanRgb(r.variants[0].data);
      assert.ok(Math.max(red, green, blue) > 30, `not blank: ${red}/${green}/${blue}`);
    });
  }
});

describe('developRaw: libraw-wasm', () => {
  it('decodes the CRW explicitly with wasm, in its sandboxed child process', async () => {
    const r = await developRaw(raw('canon_eos_d30.crw'), thumbOnly, { decoder: 'wasm', decoders: { wasm } });
    assert.equal(r.source, 'libraw-wasm');
    assert.deepEqual([r.width, r.height], [1088, 724]);
    const r2 = await developRaw(raw('kodak_c330_headerless.raw'), thumbOnly, { decoder: 'wasm', decoders: { wasm } });
    assert.equal(r2.source, 'libraw-wasm');
    assert.deepEqual([r2.width, r2.height], [1216, 912]);
    const [red, green, blue] = await meanRgb(r.variants[0].data);
    assert.ok(Math.min(red, green, blue) > 20, `not blank: ${red}/${green}/${blue}`);
  });

  it('falls back from a missing dcraw_emu to wasm', async () => {
    const missing = new NativeRawDecoder({ dcrawEmu: '/nonexistent/dcraw_emu' });
    assert.equal(await missing.available(), false);
    const r = await developRaw(raw('nikon_d1.nef'), thumbOnly, { decoders: { native: missing, wasm } });
    assert.equal(r.source, 'libraw-wasm');
  });

  it('falls back to wasm when dcraw_emu runs but cannot read the file', async () => {
    // /bin/true "succeeds" with no output, like dcraw_emu does on failure.
    const broken = new NativeRawDecoder({ dcrawEmu: '/bin/true' });
    const r = await developRaw(raw('kodak_dc50.kdc'), thumbOnly, { decoders: { native: broken, wasm } });
    assert.equal(r.source, 'libraw-wasm');
    assert.ok(
      r.warnings.some((w) => w.startsWith('dcraw_emu failed')),
      r.warnings.join('\n'),
    );
  });
});

describe('developRaw: broken files', () => {
  it('truncated ARW decodes (nearly) black and falls back to its embedded preview', async () => {
    const r = await developRaw(raw('broken/sony_slt-a55_truncated.arw'), thumbOnly, { decoder: INSTALLED_DECODER });
    assert.equal(r.source, 'embedded-preview');
    assert.deepEqual([r.width, r.height], [1616, 1080]);
    assert.ok(r.warnings.some((w) => /black|blank/.test(w)));
  });

  it('truncated D7100 NEF fails to unpack and falls back to its 6000x4000 preview', async () => {
    const r = await developRaw(raw('broken/nikon_d7100_truncated.nef'), small);
    assert.equal(r.source, 'embedded-preview');
    assert.deepEqual([r.width, r.height], [6000, 4000]);
    assert.deepEqual(
      r.variants.map((v) => [v.width, v.height]),
      [
        [2048, 1365],
        [400, 267],
      ],
    );
  });

  it("with source 'raw' the preview is not used and the failure is readable", async () => {
    await assert.rejects(developRaw(raw('broken/nikon_d7100_truncated.nef'), { ...thumbOnly, source: 'raw' }), (e: unknown) => {
      assert.ok(e instanceof RawDecodeError);
      assert.equal(e.code, 'truncated');
      assert.match(e.message, /could not unpack the image data and the preset does not allow the embedded preview/);
      return true;
    });
  });

  it('pruned iPhone DNG (blank, no preview) fails with a readable reason', async () => {
    await assert.rejects(developRaw(raw('broken/iphone12pro_pruned.dng'), thumbOnly), (e: unknown) => {
      assert.ok(e instanceof RawDecodeError);
      assert.equal(e.code, 'truncated');
      assert.equal(e.message, 'file is truncated or corrupt: LibRaw decoded it to a blank (black) image and it has no embedded preview');
      return true;
    });
  });

  it('pruned CR3 fails with a readable reason (native cannot open, wasm cannot unpack)', async () => {
    await assert.rejects(developRaw(raw('broken/canon_eos_r6_pruned.cr3'), thumbOnly, { decoders: { wasm } }), (e: unknown) => {
      assert.ok(e instanceof RawDecodeError);
      assert.equal(e.message, 'file is truncated or corrupt: LibRaw could not unpack the image data and it has no embedded preview');
      assert.equal(e.details.length, NATIVE_RAW ? 2 : 1, 'one reason per decoder tried');
      return true;
    });
    // dcraw_emu (LibRaw 0.20) cannot open a CR3 at all; libraw-wasm (0.22) opens it but cannot unpack it.
    await assert.rejects(
      developRaw(raw('broken/canon_eos_r6_pruned.cr3'), thumbOnly, { decoder: INSTALLED_DECODER }),
      NATIVE_RAW ? /unsupported Canon CR3 file: LibRaw could not open it/ : /LibRaw could not unpack the image data/,
    );
  });

  it('GoPro GPR fails with a readable reason in both decoders', async () => {
    await assert.rejects(developRaw(raw('gopro_hero6_black.gpr'), thumbOnly, { decoders: { wasm } }), (e: unknown) => {
      assert.ok(e instanceof RawDecodeError);
      assert.equal(e.code, 'unsupported-format');
      assert.match(e.message, /^GoPro GPR \(VC-5 compressed DNG\) is not supported/);
      return true;
    });
  });

  it('a JPEG renamed .nef is developed as a JPEG', async () => {
    const r = await developRaw(raw('broken/nikon_d70s_jpeg_with_nef_extension.nef'), small);
    assert.equal(r.source, 'developed-image');
    assert.equal(r.sniff.kind, 'jpeg');
    assert.deepEqual([r.width, r.height], [2000, 3008]);
    assert.deepEqual(
      r.variants.map((v) => [v.width, v.height]),
      [
        [1362, 2048],
        [266, 400],
      ],
    );
  });
});

describe('developRaw: renditions', () => {
  it('renders every variant with its format, content type, size and an sRGB ICC profile', async () => {
    const preset: ProcessingPreset = {
      ...DEFAULT_PRESET,
      variants: [...DEFAULT_PRESET.variants, { name: 'avif', longEdge: 300, format: 'avif', quality: 50 }],
    };
    const r = await developRaw(raw('canon_eos_d30.crw'), preset);
    assert.equal(r.source, INSTALLED_SOURCE);
    assert.equal(r.halfSize, false, "'original' needs the full size");
    const byName = Object.fromEntries(r.variants.map((v) => [v.name, v]));
    assert.deepEqual(Object.keys(byName), ['web', 'thumb', 'full', 'avif']);
    for (const [name, format, w, h, ct, ext] of [
      ['web', 'jpeg', 2048, 1363, 'image/jpeg', 'jpg'],
      ['thumb', 'webp', 400, 266, 'image/webp', 'webp'],
      ['full', 'jpeg', 2176, 1448, 'image/jpeg', 'jpg'],
      ['avif', 'heif', 300, 200, 'image/avif', 'avif'],
    ] as const) {
      const v = byName[name];
      const m = await sharp(v.data).metadata();
      assert.equal(m.format, format, name);
      assert.deepEqual([v.width, v.height, m.width, m.height], [w, h, w, h], name);
      assert.equal(v.contentType, ct);
      assert.equal(v.extension, ext);
      assert.equal(v.bytes, v.data.length);
      assert.ok(m.icc, `${name} has an ICC profile`);
      assert.match(m.icc.toString('latin1'), /sRGB|s\x00R\x00G\x00B/, name);
      assert.equal(m.space, 'srgb');
      assert.equal(m.depth, 'uchar');
    }
    // Timings are recorded for the job's report; their size is the benchmark's business, not this test's.
    assert.deepEqual(Object.keys(r.timings).sort(), ['decodeMs', 'renderMs']);
    for (const ms of Object.values(r.timings)) assert.ok(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0, `timing ${ms}`);
  });

  it('applies exposure, saturation and contrast', async () => {
    const base = await developRaw(raw('kodak_c330_headerless.raw'), thumbOnly);
    const bright = await developRaw(raw('kodak_c330_headerless.raw'), { ...thumbOnly, colour: { ...thumbOnly.colour, exposure: 1 } });
    const grey = await developRaw(raw('kodak_c330_headerless.raw'), { ...thumbOnly, colour: { ...thumbOnly.colour, saturation: -1 } });
    const [r0, g0, b0] = await meanRgb(base.variants[0].data);
    const [r1, g1, b1] = await meanRgb(bright.variants[0].data);
    assert.ok(r1 + g1 + b1 > 1.15 * (r0 + g0 + b0), 'brighter');
    const s = await sharp(grey.variants[0].data).raw().toBuffer({ resolveWithObject: true });
    let maxSpread = 0;
    for (let i = 0; i < s.data.length; i += s.info.channels) {
      maxSpread = Math.max(
        maxSpread,
        Math.max(s.data[i], s.data[i + 1], s.data[i + 2]) - Math.min(s.data[i], s.data[i + 1], s.data[i + 2]),
      );
    }
    assert.ok(maxSpread <= 12, `saturation -1 is (nearly) grey, spread ${maxSpread}`);
  });

  it('metadata: strips by default, writes copyright, keeps EXIF without GPS', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'develop-exif-'));
    try {
      const src = path.join(dir, 'gps.jpg');
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#7a8a9a' } })
        .jpeg()
        .withExif({
          IFD0: { Make: 'TestCam', Model: 'X1' },
          IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 28/1 40/1', GPSLongitudeRef: 'E', GPSLongitude: '1/1 2/1 3/1' },
        })
        .toFile(src);
      const exifOf = async (b: Buffer) => (await sharp(b).metadata()).exif?.toString('latin1') ?? '';
      const plain = await developRaw(src, thumbOnly);
      assert.equal(await exifOf(plain.variants[0].data), '');
      const kept = await developRaw(src, { ...thumbOnly, metadata: { keepExif: true, stripGps: true, copyright: '(c) Studio' } });
      const e1 = await exifOf(kept.variants[0].data);
      assert.match(e1, /TestCam/);
      assert.match(e1, /\(c\) Studio/);
      assert.ok(!e1.includes('\x88\x25') && !e1.includes('\x25\x88'), 'no GPS IFD pointer');
      const withGps = await developRaw(src, { ...thumbOnly, metadata: { keepExif: true, stripGps: false, copyright: null } });
      const e2 = await exifOf(withGps.variants[0].data);
      assert.ok(e2.includes('\x25\x88') || e2.includes('\x88\x25'), 'GPS IFD kept');
      // RAW sources carry LibRaw's shooting data.
      const nef = await developRaw(raw('nikon_d1.nef'), { ...thumbOnly, metadata: { keepExif: true, stripGps: true, copyright: null } });
      const e3 = await exifOf(nef.variants[0].data);
      assert.match(e3, /Nikon/);
      assert.match(e3, /2000:11:19 13:01:50/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('auto-orients developed images', async () => {
    const r = await developRaw(fixture('images', 'orientation_6.jpg'), thumbOnly);
    assert.equal(r.source, 'developed-image');
    assert.deepEqual([r.variants[0].width, r.variants[0].height], [400, 267]);
  });

  it("source 'embedded-preview' uses the preview when there is one", async () => {
    const r = await developRaw(raw('canon_eos_d30.crw'), { ...thumbOnly, source: 'embedded-preview' });
    assert.equal(r.source, 'embedded-preview');
    assert.deepEqual([r.width, r.height], [1440, 960]);
    const n = await developRaw(raw('nikon_d1.nef'), { ...thumbOnly, source: 'embedded-preview' });
    assert.equal(n.source, INSTALLED_SOURCE, 'the D1 only has a 160x120 bitmap thumbnail');
    assert.ok(n.warnings.some((w) => /no usable embedded preview/.test(w)));
  });
});

describe('synthetic DNG', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'synthetic-dng-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes with the installed decoder and wasm to a non-blank image of the right size', async () => {
    const p = path.join(dir, 'syn.dng');
    await writeSyntheticDng(p, { width: 1200, height: 800, seed: 3 });
    const full = await developRaw(
      p,
      { ...thumbOnly, variants: [{ name: 'full', longEdge: 'original', format: 'jpeg', quality: 80 }] },
      { decoder: INSTALLED_DECODER },
    );
    assert.equal(full.source, INSTALLED_SOURCE);
    assert.deepEqual([full.width, full.height, full.variants[0].width, full.variants[0].height], [1200, 800, 1200, 800]);
    const half = await developRaw(p, thumbOnly, { decoder: 'wasm', decoders: { wasm } });
    assert.equal(half.source, 'libraw-wasm');
    assert.deepEqual([half.width, half.height, half.halfSize], [600, 400, true]);
    const s = await sharp(full.variants[0].data).stats();
    for (const c of s.channels.slice(0, 3)) {
      assert.ok(c.mean > 40 && c.stdev > 20, `varied picture: mean ${c.mean} stdev ${c.stdev}`);
    }
  });
});
