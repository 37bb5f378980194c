import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, signIn } from '../support/browser.js';
import { fixture } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readZip } from '../support/zip.js';

/**
 * The studio screens in a real browser against the real system: the API serving /app, PostgreSQL,
 * S3 and batch workers started by the local launcher.
 */
describe('web console: studio', () => {
  let t: TestApp;
  let browser: Browser;

  before(async () => {
    t = await startTestApp({ IDLE_SHUTDOWN_SECONDS: '3' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a job with a preset, uploads RAW files with progress, submits, follows it to the end and downloads the ZIP', async () => {
    const studio = await t.createTenant('studio', 'Studio Lumen');
    const { page, context } = await signIn(browser, t.baseUrl, studio.key);
    assert.equal(await page.getByRole('link', { name: 'Register an animal' }).count(), 0, 'a studio sees the studio screens');

    await page.getByRole('link', { name: 'New job' }).click();
    await page.getByRole('button', { name: 'Create job' }).click();
    const nameField = page.locator('.field', { has: page.getByLabel('Job name') });
    assert.match((await nameField.locator('.field-error').textContent()) ?? '', /name/i, "the server's message sits under the name field");

    await page.getByLabel('Job name').fill('Wedding Silva');
    await page.getByLabel('Preset').selectOption('proofs');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { name: 'Wedding Silva' }).waitFor();
    await page.getByText('Status: draft').waitFor();

    const files = [fixture('raw', 'lg_g4_h815_sample_1mp.dng'), fixture('raw', 'kodak_dc50.kdc'), fixture('raw', 'broken', 'iphone12pro_pruned.dng')];
    await page.getByLabel('Add RAW files').setInputFiles(
      await Promise.all(files.map(async (file) => ({ name: path.basename(file), mimeType: 'application/octet-stream', buffer: await readFile(file) }))),
    );
    await page.getByText('Uploaded 3 of 3 files').waitFor();
    assert.equal(await page.getByRole('progressbar', { name: 'Overall upload' }).getAttribute('value'), '100');
    for (const file of files) assert.equal(await page.getByRole('progressbar', { name: `Upload of ${path.basename(file)}` }).getAttribute('value'), '100');

    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByText('Status: completed with errors').waitFor({ timeout: 300_000 });
    assert.equal(await page.getByRole('progressbar', { name: 'Job progress' }).getAttribute('value'), '100');
    const failed = page.locator('table.files tr', { hasText: 'iphone12pro_pruned.dng' });
    assert.equal(await failed.locator('td').nth(2).textContent(), 'failed');
    assert.ok(((await failed.locator('td').nth(3).textContent()) ?? '').length > 5, 'the failure reason is shown next to the file');
    const done = page.locator('table.files tr', { hasText: 'kodak_dc50.kdc' });
    assert.equal(await done.locator('td').nth(2).textContent(), 'done');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download ZIP/ }).click()]);
    assert.equal(download.suggestedFilename(), 'Wedding Silva.zip');
    const entries = await readZip(await readFile((await download.path())!));
    assert.deepEqual([...entries.keys()].sort(), ['kodak_dc50_thumb.webp', 'kodak_dc50_web.jpg', 'lg_g4_h815_sample_1mp_thumb.webp', 'lg_g4_h815_sample_1mp_web.jpg']);

    await page.getByRole('link', { name: '← Jobs' }).click();
    const jobs = page.getByRole('list', { name: 'Jobs' });
    await jobs.getByRole('link', { name: 'Wedding Silva' }).waitFor();
    assert.match((await jobs.locator('li').first().textContent()) ?? '', /completed with errors/);
    await context.close();
  });
});
