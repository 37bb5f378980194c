import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { isSrgbProfile } from '../../libs/imaging/src/renditions/icc.js';
import { iccDescription } from '../../libs/imaging/src/renditions/spec-helpers.js';
import {
  colourGrid,
  createAnimal,
  download,
  image,
  mapLimit,
  meanAbsDiff,
  type PhotoBody,
  rendition,
  uploadPresigned,
  waitForPhoto,
} from './photo-helpers.js';

const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `orientation_${n}.jpg`);
const COLOUR_CASES = [
  'cmyk_swop_profile.jpg',
  'adobe_rgb_1998.jpg',
  'hdr_10bit_p3_nclx.avif',
  'png_16bit_rgb.png',
  'png_rgba_alpha.png',
  'grayscale_gray_icc.jpg',
];
const HEIC = 'iphone7_display_p3.heic';

/**
 * One animal, every orientation and colour case uploaded through presigned PUTs (2 at a time) and
 * rendered by the S3-triggered Lambda; each rendition is then checked against the source.
 */
describe('clinic renditions: orientation and colour', () => {
  let t: TestApp;
  let auth: string;
  const photos = new Map<string, PhotoBody>();

  before(async () => {
    t = await startTestApp({}, { thumbnails: true });
    const clinic = await t.createTenant('clinic');
    auth = `Bearer ${clinic.key}`;
    const animalId = await createAnimal(t, auth, 'Model');
    const names = [...ORIENTATIONS, ...COLOUR_CASES, HEIC];
    const uploaded = await mapLimit(names, 2, (name) => uploadPresigned(t, auth, animalId, name, image(name)));
    const finished = await mapLimit(uploaded, 4, (p) => waitForPhoto(t, auth, animalId, p.id, 90_000));
    for (const photo of finished) photos.set(photo.filename, photo);
  });
  after(async () => {
    await t.close();
  });

  it('renders all 8 EXIF orientations upright: the same picture as orientation 1, pixel for pixel', async () => {
    const reference = rendition(photos.get('orientation_1.jpg')!, 'large');
    const referenceGrid = await colourGrid(await download(reference.url), 16, 12);
    const flipped = await colourGrid(sharp(await download(reference.url)).flop(), 16, 12);
    assert.ok(meanAbsDiff(referenceGrid, flipped) > 10, 'the fixture is asymmetric, so a wrong orientation shows');
    for (const name of ORIENTATIONS) {
      const photo = photos.get(name)!;
      assert.equal(photo.status, 'ready', `${name}: ${photo.failureReason}`);
      assert.deepEqual([photo.original!.width, photo.original!.height], [1800, 1200], name);
      const large = rendition(photo, 'large');
      assert.deepEqual([large.width, large.height], [reference.width, reference.height], name);
      const grid = await colourGrid(await download(large.url), 16, 12);
      const diff = meanAbsDiff(grid, referenceGrid);
      assert.ok(diff < 3, `${name} differs from orientation_1 by ${diff.toFixed(2)} per channel`);
    }
  });

  it('converts CMYK, Adobe RGB, 10-bit AVIF, 16-bit PNG, alpha PNG and greyscale to sRGB renditions', async () => {
    for (const name of COLOUR_CASES) {
      const photo = photos.get(name)!;
      assert.equal(photo.status, 'ready', `${name}: ${photo.failureReason}`);
      for (const r of photo.renditions) {
        const bytes = await download(r.url);
        const meta = await sharp(bytes).metadata();
        assert.equal(meta.space, 'srgb', `${name} ${r.name} colourspace`);
        assert.equal(meta.channels, 3, `${name} ${r.name} has 3 channels (no alpha, no K)`);
        assert.equal(meta.depth, 'uchar', `${name} ${r.name} is 8-bit`);
        // The JPEG (large) carries an sRGB profile; the WebPs carry none (WebP means sRGB without one).
        if (r.contentType === 'image/jpeg') {
          assert.ok(meta.icc, `${name} ${r.name} carries a profile`);
          assert.equal(isSrgbProfile(meta.icc), true, `${name} ${r.name} profile is sRGB`);
          assert.match(iccDescription(meta.icc), /sRGB/i, `${name} ${r.name} profile`);
        } else {
          assert.equal(meta.icc, undefined, `${name} ${r.name} carries no profile`);
        }
      }
      assert.deepEqual(
        photo.renditions.map((r) => [r.name, r.contentType]),
        [
          ['thumb', 'image/webp'],
          ['small', 'image/webp'],
          ['large', 'image/jpeg'],
        ],
        `${name}: every rendition is checked`,
      );
      // Colours survive the conversion: compare with sharp's own conversion of the source to sRGB.
      const large = await download(rendition(photo, 'large').url);
      const expected = await colourGrid(sharp(image(name)).flatten({ background: '#ffffff' }).toColourspace('srgb'), 8, 8);
      const got = await colourGrid(large, 8, 8);
      assert.ok(meanAbsDiff(got, expected) < 8, `${name}: colours drift by ${meanAbsDiff(got, expected).toFixed(2)}`);
    }
  });

  it('renders greyscale as neutral grey and alpha on white', async () => {
    const grey = await colourGrid(await download(rendition(photos.get('grayscale_gray_icc.jpg')!, 'large').url), 8, 8);
    for (let i = 0; i < grey.length; i += 3)
      assert.ok(Math.max(grey[i], grey[i + 1], grey[i + 2]) - Math.min(grey[i], grey[i + 1], grey[i + 2]) <= 2);
    const alpha = await download(rendition(photos.get('png_rgba_alpha.png')!, 'small').url);
    const corner = await sharp(alpha).extract({ left: 0, top: 0, width: 2, height: 2 }).raw().toBuffer();
    assert.ok(
      corner.every((v) => v >= 245),
      'transparent corner comes out white',
    );
  });

  it('renders the Display P3 iPhone HEIC as sRGB renditions of the right sizes', async () => {
    const photo = photos.get(HEIC)!;
    assert.equal(photo.status, 'ready', photo.failureReason ?? '');
    assert.equal(photo.original?.format, 'heif');
    const sizes = Object.fromEntries(photo.renditions.map((r) => [r.name, [r.width, r.height]]));
    assert.deepEqual(sizes, { thumb: [160, 160], small: [480, 360], large: [1600, 1200] });
    const meta = await sharp(await download(rendition(photo, 'large').url)).metadata();
    assert.equal(meta.space, 'srgb');
    assert.match(iccDescription(meta.icc!), /sRGB/i);
  });
});
