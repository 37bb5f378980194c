import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { colourGrid, createAnimal, download, image, meanAbsDiff } from '../clinic/photo-helpers.js';
import { horizontalOverflow, imagesLoaded, launchBrowser, saveScreenshot, signIn, waitForCount } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The web console in a real browser (Debian's chromium, headless) against the real system: the API
 * serving /app, PostgreSQL, S3 and the thumbnail Lambda wired to S3 events.
 */
describe('web console: clinic', () => {
  let t: TestApp;
  let browser: Browser;

  before(async () => {
    t = await startTestApp({}, { thumbnails: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it("signs in with a key kept for the session and shown masked; a wrong key is refused with the API's reason", async () => {
    const redirect = await t.http().get('/app');
    assert.equal(redirect.headers.location, '/app/', '/app leads to the console');

    const wrong = await browser.newPage();
    await wrong.goto(`${t.baseUrl}/app/`);
    await wrong.getByLabel('API key').fill('rvl_not_a_real_key_0000000000000000000000');
    await wrong.getByLabel('API key').press('Enter'); // the keyboard is enough
    const alert = await wrong.getByRole('alert').textContent();
    assert.ok(alert && alert.length > 0, 'the problem detail is shown');
    await saveScreenshot(wrong, 'sign-in-refused');
    assert.equal(await wrong.evaluate('sessionStorage.length'), 0, 'the wrong key is forgotten');
    await wrong.close();

    const clinic = await t.createTenant('clinic', 'Happy Paws');
    const session = await signIn(browser, t.baseUrl, clinic.key);
    assert.match((await session.page.locator('header').textContent()) ?? '', /Happy Paws/);
    const shown = (await session.page.getByLabel('API key', { exact: true }).textContent()) ?? '';
    assert.ok(!shown.includes(clinic.key) && shown.includes('•'), `the key is masked (${shown})`);
    assert.equal(await session.page.evaluate('localStorage.length'), 0, 'nothing is kept beyond the session');
    assert.equal(await session.page.evaluate("sessionStorage.getItem('revela.apiKey')"), clinic.key);
    assert.equal(await session.page.getByRole('link', { name: 'Register an animal' }).count(), 1, 'a clinic sees the clinic screens');
    assert.equal(await session.page.getByRole('link', { name: 'New job' }).count(), 0);
    await session.context.close();
  });

  it('registers an animal (a server validation error appears next to its field), uploads photos and shows their thumbnails and failures', async () => {
    const clinic = await t.createTenant('clinic', 'Clínica Veterinária Sol');
    const { page, context } = await signIn(browser, t.baseUrl, clinic.key);

    await page.getByRole('link', { name: 'Register an animal' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Mimi');
    await page.getByLabel('Species').selectOption('cat');
    await page.getByLabel('Tutor name').fill('Ana Costa');
    await page.getByLabel('Microchip').fill('12345678'); // 8 characters: the server rejects it
    await page.getByRole('button', { name: 'Register' }).click();

    const microchip = page.locator('.field', { has: page.getByLabel('Microchip') });
    const message = await microchip.locator('.field-error').textContent();
    assert.match(message ?? '', /microchip/i, "the server's message sits under the microchip field");
    assert.equal(await page.getByLabel('Microchip').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.field-error').count(), 1, 'only the wrong field is marked');
    await saveScreenshot(page, 'clinic-field-error');
    const stored = await t.http().get('/v1/animals').set('Authorization', `Bearer ${clinic.key}`);
    assert.equal(stored.body.items.length, 0, 'nothing was registered');

    await page.getByLabel('Microchip').fill('900123456789012');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Mimi' }).waitFor();

    await page.getByLabel('Add photos').setInputFiles([
      { name: 'mimi-front.jpg', mimeType: 'image/jpeg', buffer: image('orientation_6.jpg') },
      { name: 'mimi-side.png', mimeType: 'image/png', buffer: image('png_rgba_alpha.png') },
      { name: 'mimi-broken.jpg', mimeType: 'image/jpeg', buffer: image('truncated_10000_bytes.jpg') },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
    ]);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await uploads.getByRole('progressbar', { name: 'Upload of mimi-front.jpg' }).waitFor();

    const grid = page.getByRole('list', { name: 'Photos' });
    await grid.locator('li.ready').nth(1).waitFor();
    await grid.locator('li.failed').waitFor();
    const thumbs = await imagesLoaded(page, 'ul[aria-label="Photos"] li.ready img');
    assert.equal(thumbs.length, 2);
    assert.ok(
      thumbs.every((width) => width > 0 && width <= 160),
      `thumbnails, not originals (${thumbs})`,
    );
    assert.deepEqual((await grid.locator('li.ready img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt') ?? ''))).sort(), [
      'mimi-front.jpg',
      'mimi-side.png',
    ]);
    const reason = await grid.locator('li.failed .reason').textContent();
    assert.ok(reason && reason.length > 5, `the failure reason is shown next to the photo (${reason})`);
    const uploadRow = uploads.locator('li', { hasText: 'mimi-broken.jpg' });
    assert.equal(await uploadRow.locator('.status').textContent(), 'failed');
    assert.equal(await uploadRow.locator('.reason').textContent(), reason);
    assert.equal(await uploads.getByRole('progressbar', { name: 'Upload of mimi-front.jpg' }).getAttribute('value'), '100');
    const refused = uploads.locator('li', { hasText: 'notes.txt' });
    await refused.locator('.reason').waitFor();
    assert.equal(await refused.locator('.status').textContent(), 'upload failed');
    assert.match(
      (await refused.locator('.reason').textContent()) ?? '',
      /must be one of image\/jpeg/,
      "the API's 415 detail, next to the file",
    );
    assert.equal(await grid.locator('li').count(), 3, 'the refused file is not in the grid');
    await saveScreenshot(page, 'clinic-animal-photos');

    // Deleting a photo asks first, then it leaves the grid and the API.
    const animalId = page.url().split('/').pop()!;
    page.once('dialog', (dialog) => void dialog.dismiss());
    await grid.getByRole('button', { name: 'Delete mimi-broken.jpg' }).click();
    assert.equal(await grid.locator('li').count(), 3, 'kept when the confirmation is dismissed');
    page.once('dialog', (dialog) => void dialog.accept());
    await grid.getByRole('button', { name: 'Delete mimi-broken.jpg' }).click();
    await waitForCount(page, 'ul[aria-label="Photos"] li', 2);
    const left = await t.http().get(`/v1/animals/${animalId}/photos`).set('Authorization', `Bearer ${clinic.key}`);
    assert.deepEqual(left.body.items.map((p: { filename: string }) => p.filename).sort(), ['mimi-front.jpg', 'mimi-side.png']);

    // Editing keeps the server's rules too, and saves.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Weight (kg)').fill('4.2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Mimi' }).waitFor();
    await page.getByText('4.2 kg').waitFor();
    await context.close();
  });

  it('uploads the 8 orientation JPEGs and an iPhone HEIC at once; every thumbnail the page shows is upright', async () => {
    const clinic = await t.createTenant('clinic', 'Orientation Clinic');
    const animalId = await createAnimal(t, `Bearer ${clinic.key}`, 'Tico');
    const { page, context } = await signIn(browser, t.baseUrl, clinic.key);
    await page.goto(`${t.baseUrl}/app/#/animals/${animalId}`);
    await page.getByRole('heading', { name: 'Tico' }).waitFor();

    const orientations = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `orientation_${n}.jpg`);
    await page
      .getByLabel('Add photos')
      .setInputFiles([
        ...orientations.map((name) => ({ name, mimeType: 'image/jpeg', buffer: image(name) })),
        { name: 'iphone.heic', mimeType: 'image/heic', buffer: image('iphone7_display_p3.heic') },
      ]);
    await waitForCount(page, 'ul[aria-label="Photos"] li.ready', 9);
    const widths = await imagesLoaded(page, 'ul[aria-label="Photos"] li.ready img');
    assert.equal(widths.length, 9, 'every thumbnail, the HEIC included, is shown');

    // The thumbnails the page shows, compared with orientation 1's: upright means the same picture.
    const shown = new Map(
      await page
        .getByRole('list', { name: 'Photos' })
        .locator('li.ready img')
        .evaluateAll((imgs) => imgs.map((img) => [img.getAttribute('alt') ?? '', img.getAttribute('src') ?? ''] as const)),
    );
    const reference = await download(shown.get('orientation_1.jpg'));
    const referenceGrid = await colourGrid(reference, 8, 8);
    assert.ok(meanAbsDiff(referenceGrid, await colourGrid(sharp(reference).flop(), 8, 8)) > 10, 'a wrong orientation would show');
    for (const name of orientations) {
      const diff = meanAbsDiff(await colourGrid(await download(shown.get(name)), 8, 8), referenceGrid);
      assert.ok(diff < 4, `${name}'s thumbnail differs from orientation_1's by ${diff.toFixed(2)} per channel`);
    }
    await context.close();
  });

  it('lists animals with search, species filter and paging, in a narrow window', async () => {
    const clinic = await t.createTenant('clinic');
    const auth = { Authorization: `Bearer ${clinic.key}` };
    for (let i = 1; i <= 22; i++) {
      const created = await t
        .http()
        .post('/v1/animals')
        .set(auth)
        .send({ name: `Dog ${String(i).padStart(2, '0')}`, species: 'dog', tutor: { name: 'Rui' } });
      assert.equal(created.status, 201);
    }
    await t
      .http()
      .post('/v1/animals')
      .set(auth)
      .send({ name: 'Tweety', species: 'bird', tutor: { name: 'Joana Reis' } })
      .expect(201);
    const { page, context } = await signIn(browser, t.baseUrl, clinic.key, { width: 360, height: 740 });
    const list = page.getByRole('list', { name: 'Animals' });
    await list.getByRole('link').nth(19).waitFor();
    assert.equal(await list.getByRole('link').count(), 20, 'a page holds 20 animals');
    const firstPage = await list.getByRole('link').allTextContents();
    await saveScreenshot(page, 'clinic-animal-list-phone');
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitForCount(page, 'ul[aria-label="Animals"] a', 3);
    const secondPage = await list.getByRole('link').allTextContents();
    assert.equal(new Set([...firstPage, ...secondPage]).size, 23, 'the pages together hold every animal once');

    await page.getByLabel('Species').selectOption('bird');
    await waitForCount(page, 'ul[aria-label="Animals"] a', 1);
    assert.deepEqual(await list.getByRole('link').allTextContents(), ['Tweety']);
    await page.getByLabel('Species').selectOption('');
    await page.getByLabel('Search').fill('joana');
    await waitForCount(page, 'ul[aria-label="Animals"] a', 1);
    assert.deepEqual(await list.getByRole('link').allTextContents(), ['Tweety'], 'search finds the tutor');
    const overflow = await horizontalOverflow(page);
    assert.equal(overflow, 0, 'nothing overflows a 360 px wide window');
    await context.close();
  });
});
