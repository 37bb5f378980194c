import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { CLINIC_RENDITIONS, renderClinicPhoto } from './index.js';
import { assertCleanSrgb, colourGrid, ifd0Tags, image, meanAbsDiff, rendition } from './spec-helpers.js';

const GPS_IFD_POINTER = 0x8825;

describe('CLINIC_RENDITIONS', () => {
  it('lists thumb, small and large in that order', () => {
    assert.deepEqual(
      CLINIC_RENDITIONS.map((s) => [s.name, s.width, s.height, s.fit, s.format]),
      [
        ['thumb', 160, 160, 'cover', 'webp'],
        ['small', 480, 480, 'inside', 'webp'],
        ['large', 1600, 1600, 'inside', 'jpeg'],
      ],
    );
    assert.equal(CLINIC_RENDITIONS.find((s) => s.name === 'large')?.quality, 82);
  });
});

describe('renderClinicPhoto', () => {
  it('renders a 24 MP progressive JPEG to the three renditions', async () => {
    const { original, renditions } = await renderClinicPhoto(image('progressive_6000x4000.jpg'));
    assert.deepEqual(original, { format: 'jpeg', width: 6000, height: 4000, takenAt: null });
    assert.deepEqual(
      renditions.map((r) => [r.name, r.format, r.contentType, r.width, r.height]),
      [
        ['thumb', 'webp', 'image/webp', 160, 160],
        ['small', 'webp', 'image/webp', 480, 320],
        ['large', 'jpeg', 'image/jpeg', 1600, 1067],
      ],
    );
    for (const r of renditions) {
      assert.equal(r.bytes, r.data.length);
      await assertCleanSrgb(r);
    }
    const large = await sharp(rendition(renditions, 'large').data).metadata();
    assert.equal(large.isProgressive, true);
    // Same picture as a straightforward resize of the original.
    const reference = await colourGrid(sharp(image('progressive_6000x4000.jpg')));
    assert.ok(meanAbsDiff(await colourGrid(rendition(renditions, 'large').data), reference) < 3);
  });

  it('crops the thumb from the centre', async () => {
    const { renditions } = await renderClinicPhoto(image('orientation_1.jpg'));
    const square = (left: number) =>
      colourGrid(sharp(image('orientation_1.jpg')).extract({ left, top: 0, width: 1200, height: 1200 }), 4, 4);
    const thumb = await colourGrid(rendition(renditions, 'thumb').data, 4, 4);
    // (WebP q80 of a 160 px crop vs the full-resolution crop: a few levels of difference are expected.)
    assert.ok(meanAbsDiff(thumb, await square(300)) < 8, 'thumb should match the centre square');
    assert.ok(meanAbsDiff(thumb, await square(0)) > 15, 'the left square is a different picture');
    assert.ok(meanAbsDiff(thumb, await square(600)) > 15, 'the right square is a different picture');
  });

  describe('EXIF orientation', () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      it(`turns orientation ${orientation} upright`, async () => {
        const upright = await renderClinicPhoto(image('orientation_1.jpg'));
        const { original, renditions } = await renderClinicPhoto(image(`orientation_${orientation}.jpg`));
        assert.deepEqual([original.width, original.height], [1800, 1200]);
        assert.deepEqual(
          renditions.map((r) => [r.name, r.width, r.height]),
          [
            ['thumb', 160, 160],
            ['small', 480, 320],
            ['large', 1600, 1067],
          ],
        );
        for (const r of renditions) {
          // Same picture as orientation_1's rendition; a mirror or turn of it is not.
          const expected = await colourGrid(rendition(upright.renditions, r.name).data);
          const grid = await colourGrid(r.data);
          assert.ok(meanAbsDiff(grid, expected) < 4, `${r.name} differs from upright by ${meanAbsDiff(grid, expected)}`);
          assert.ok(meanAbsDiff(await colourGrid(sharp(r.data).flop()), expected) > 15, `${r.name} mirrored should differ`);
          assert.ok(meanAbsDiff(await colourGrid(sharp(r.data).flip()), expected) > 15, `${r.name} upside down should differ`);
        }
        // And orientation_1's large rendition is the stored picture itself.
        const stored = await colourGrid(image('orientation_1.jpg'));
        assert.ok(meanAbsDiff(await colourGrid(rendition(upright.renditions, 'large').data), stored) < 3);
      });
    }
  });

  describe('colour', () => {
    it('converts Adobe RGB (1998) to sRGB', async () => {
      const input = image('adobe_rgb_1998.jpg');
      const { original, renditions } = await renderClinicPhoto(input);
      assert.equal(original.takenAt, '2018-10-27T13:27:23.530Z');
      const large = rendition(renditions, 'large');
      assert.deepEqual([large.width, large.height], [1600, 858]);
      await assertCleanSrgb(large);
      const converted = await colourGrid(sharp(input)); // sharp converts the embedded profile
      const untouched = await colourGrid(sharp(input, { ignoreIcc: true }));
      const grid = await colourGrid(large.data);
      assert.ok(meanAbsDiff(grid, converted) < meanAbsDiff(grid, untouched), 'pixels must be profile-converted');
      assert.ok(meanAbsDiff(grid, converted) < 1.5);
    });

    it('converts CMYK with its SWOP profile to 3-channel sRGB', async () => {
      const { original, renditions } = await renderClinicPhoto(image('cmyk_swop_profile.jpg'));
      assert.deepEqual(original, { format: 'jpeg', width: 500, height: 333, takenAt: '2004-03-20T14:54:55.000Z' });
      assert.deepEqual(
        renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        'every rendition is checked below',
      );
      for (const r of renditions) await assertCleanSrgb(r);
      const large = rendition(renditions, 'large');
      assert.deepEqual([large.width, large.height], [500, 333], 'never enlarged');
      const reference = await colourGrid(sharp(image('cmyk_swop_profile.jpg')).toColourspace('srgb'));
      assert.ok(meanAbsDiff(await colourGrid(large.data), reference) < 3);
    });

    it('renders a grey-profile JPEG as neutral sRGB', async () => {
      const { renditions } = await renderClinicPhoto(image('grayscale_gray_icc.jpg'));
      assert.deepEqual(
        renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        'every rendition is checked below',
      );
      for (const r of renditions) await assertCleanSrgb(r);
      const grid = await colourGrid(rendition(renditions, 'large').data);
      for (let i = 0; i < grid.length; i += 3) {
        assert.ok(Math.max(grid[i], grid[i + 1], grid[i + 2]) - Math.min(grid[i], grid[i + 1], grid[i + 2]) <= 2, 'grey stays grey');
      }
    });

    it('reduces an untagged 16-bit PNG to 8-bit sRGB without shifting colours', async () => {
      const input = image('png_16bit_rgb.png');
      const { original, renditions } = await renderClinicPhoto(input);
      assert.deepEqual(original, { format: 'png', width: 290, height: 442, takenAt: null });
      assert.deepEqual(
        renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        'every rendition is checked below',
      );
      for (const r of renditions) await assertCleanSrgb(r);
      const reference = await colourGrid(sharp(input));
      assert.ok(meanAbsDiff(await colourGrid(rendition(renditions, 'large').data), reference) < 1.5);
    });

    it('converts a 16-bit PNG tagged Adobe RGB to sRGB (not to Display P3 mislabelled as sRGB)', async () => {
      // Saturated sRGB patches, re-encoded as Adobe RGB 16-bit with the profile embedded.
      const patches = Buffer.from([230, 30, 30, 30, 200, 40, 40, 60, 220, 240, 200, 20]);
      const srgb = await sharp(patches, { raw: { width: 4, height: 1, channels: 3 } })
        .resize(64, 16, { kernel: 'nearest' })
        .png()
        .toBuffer();
      const adobeProfile = (await sharp(image('adobe_rgb_1998.jpg')).metadata()).icc!;
      const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'renditions-'));
      try {
        writeFileSync(join(dir, 'adobe.icc'), adobeProfile);
        const adobe8 = await sharp(srgb).withIccProfile(join(dir, 'adobe.icc')).png().toBuffer();
        const adobe16 = await sharp(adobe8).toColourspace('rgb16').keepIccProfile().png().toBuffer();
        const meta = await sharp(adobe16).metadata();
        assert.deepEqual([meta.depth, Boolean(meta.icc)], ['ushort', true]);

        const { renditions } = await renderClinicPhoto(adobe16);
        const large = rendition(renditions, 'large');
        await assertCleanSrgb(large);
        // Sample each 16x16 patch at its centre (away from JPEG chroma bleeding at the edges).
        const got = await sharp(large.data).resize(4, 1, { kernel: 'nearest' }).raw().toBuffer();
        assert.ok(meanAbsDiff([...got], [...patches]) < 3, `got ${[...got].join(',')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('decodes a 10-bit AVIF to 8-bit sRGB', async () => {
      const { original, renditions } = await renderClinicPhoto(image('hdr_10bit_p3_nclx.avif'));
      assert.deepEqual(original, { format: 'avif', width: 3681, height: 5594, takenAt: null });
      assert.deepEqual(
        renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        'every rendition is checked below',
      );
      for (const r of renditions) await assertCleanSrgb(r);
      assert.deepEqual([rendition(renditions, 'large').width, rendition(renditions, 'large').height], [1053, 1600]);
      const { channels } = await sharp(rendition(renditions, 'large').data).stats();
      assert.ok(
        channels.every((c) => c.stdev > 10),
        'a real picture, not a flat fill',
      );
    });

    it('flattens transparency onto white', async () => {
      const input = image('png_rgba_alpha.png');
      const [, , , alpha] = await sharp(input).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer();
      assert.equal(alpha, 0, 'fixture corner is transparent');
      const { renditions } = await renderClinicPhoto(input);
      assert.deepEqual(
        renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        'every rendition is checked below',
      );
      for (const r of renditions) {
        await assertCleanSrgb(r);
        const corner = await sharp(r.data).extract({ left: 0, top: 0, width: 2, height: 2 }).raw().toBuffer();
        assert.ok(
          corner.every((v) => v >= 250),
          `${r.name} corner is ${[...corner].join(',')}, expected white`,
        );
      }
    });

    it('takes the first frame of an animated GIF', async () => {
      const input = image('animated_30frames.gif');
      const { original, renditions } = await renderClinicPhoto(input);
      assert.deepEqual(original, { format: 'gif', width: 80, height: 80, takenAt: null });
      const large = rendition(renditions, 'large');
      assert.deepEqual([large.width, large.height], [80, 80], 'one frame, never enlarged');
      await assertCleanSrgb(large);
      const first = await colourGrid(sharp(input, { page: 0 }).flatten({ background: '#fff' }), 4, 4);
      const last = await colourGrid(sharp(input, { page: 10 }).flatten({ background: '#fff' }), 4, 4);
      const got = await colourGrid(large.data, 4, 4);
      assert.ok(meanAbsDiff(first, last) > 5, 'frames differ, so the check means something');
      assert.ok(meanAbsDiff(got, first) < meanAbsDiff(got, last));
      assert.ok(meanAbsDiff(got, first) < 4);
      assert.deepEqual([rendition(renditions, 'thumb').width, rendition(renditions, 'thumb').height], [160, 160]);
    });
  });

  it('strips GPS and all other metadata but keeps takenAt', async () => {
    const withGps = await sharp(image('orientation_1.jpg'))
      .withExif({
        IFD0: { Make: 'Clinic Cam', Copyright: 'secret' },
        IFD2: { DateTimeOriginal: '2024:01:02 03:04:05' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '41/1 13/1 1308/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 10/1 0/1' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .jpeg()
      .toBuffer();
    const input = await sharp(withGps).metadata();
    assert.ok(input.exif && ifd0Tags(input.exif).includes(GPS_IFD_POINTER), 'input carries a GPS IFD');
    assert.ok(input.xmp, 'input carries XMP');

    const { original, renditions } = await renderClinicPhoto(withGps);
    assert.equal(original.takenAt, '2024-01-02T03:04:05.000Z');
    assert.deepEqual(
      renditions.map((r) => r.name),
      ['thumb', 'small', 'large'],
      'every rendition is checked below',
    );
    for (const r of renditions) {
      await assertCleanSrgb(r);
      assert.equal(r.data.includes('Clinic Cam'), false, `${r.name} leaks EXIF`);
      assert.equal(r.data.includes('adobe:ns:meta'), false, `${r.name} leaks XMP`);
    }
  });
});
