import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, saveScreenshot, signIn } from '../support/browser.js';
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

    // The editor starts from the server's default preset (with its full-size variant).
    assert.equal(await page.getByLabel('Variant 3 name').inputValue(), 'full');
    assert.equal(await page.getByLabel('Variant 3 at original size').isChecked(), true);
    await page.getByLabel('Job name').fill('Wedding Silva');
    await page.getByLabel('Start from').selectOption('proofs');
    assert.equal(await page.getByLabel('Variant 3 name').count(), 0, 'proofs have no full-size variant');
    await page.getByLabel('Variant 2 quality').fill('70');
    await page.getByLabel('Copyright').fill('© Studio Lumen');
    await saveScreenshot(page, 'studio-new-job');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.getByRole('heading', { name: 'Wedding Silva' }).waitFor();
    await page.getByText('Status: draft').waitFor();
    const created = await t
      .http()
      .get(`/v1/jobs/${page.url().split('/').pop()!}`)
      .set('Authorization', `Bearer ${studio.key}`);
    assert.deepEqual(
      created.body.preset.variants.map((v: { name: string; quality: number }) => [v.name, v.quality]),
      [
        ['web', 82],
        ['thumb', 70],
      ],
    );
    assert.equal(created.body.preset.metadata.copyright, '© Studio Lumen');

    const files = [
      fixture('raw', 'lg_g4_h815_sample_1mp.dng'),
      fixture('raw', 'kodak_dc50.kdc'),
      fixture('raw', 'broken', 'iphone12pro_pruned.dng'),
    ];
    await page
      .getByLabel('Add RAW files')
      .setInputFiles(
        await Promise.all(
          files.map(async (file) => ({ name: path.basename(file), mimeType: 'application/octet-stream', buffer: await readFile(file) })),
        ),
      );
    await page.getByText('Uploaded 3 of 3 files').waitFor();
    assert.equal(await page.getByRole('progressbar', { name: 'Overall upload' }).getAttribute('value'), '100');
    for (const file of files)
      assert.equal(await page.getByRole('progressbar', { name: `Upload of ${path.basename(file)}` }).getAttribute('value'), '100');

    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByText('Status: completed with errors').waitFor({ timeout: 300_000 });
    assert.equal(await page.getByRole('progressbar', { name: 'Job progress' }).getAttribute('value'), '100');
    const failed = page.locator('table.files tr', { hasText: 'iphone12pro_pruned.dng' });
    assert.equal(await failed.locator('td').nth(2).textContent(), 'failed');
    assert.ok(((await failed.locator('td').nth(3).textContent()) ?? '').length > 5, 'the failure reason is shown next to the file');
    const done = page.locator('table.files tr', { hasText: 'kodak_dc50.kdc' });
    assert.equal(await done.locator('td').nth(2).textContent(), 'done');

    await saveScreenshot(page, 'studio-job-finished');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download ZIP/ }).click()]);
    assert.equal(download.suggestedFilename(), 'Wedding Silva.zip');
    const entries = await readZip(await readFile(await download.path()));
    assert.deepEqual([...entries.keys()].sort(), [
      'kodak_dc50_thumb.webp',
      'kodak_dc50_web.jpg',
      'lg_g4_h815_sample_1mp_thumb.webp',
      'lg_g4_h815_sample_1mp_web.jpg',
    ]);

    // Retry sends the failed file back to the workers; it fails again (it is broken), a second time.
    const auth = { Authorization: `Bearer ${studio.key}` };
    const jobId = page.url().split('/').pop()!;
    const brokenFile = async () =>
      (await t.http().get(`/v1/jobs/${jobId}/files`).set(auth)).body.items.find(
        (f: { filename: string }) => f.filename === 'iphone12pro_pruned.dng',
      );
    const before = await brokenFile();
    await page.getByRole('button', { name: 'Retry failed files' }).click();
    assert.equal(await page.getByRole('status').textContent(), '1 failed file re-queued.');
    await page.getByText('Status: completed with errors').waitFor({ timeout: 300_000 });
    const after = await brokenFile();
    assert.equal(after.status, 'failed');
    assert.ok(new Date(after.finishedAt) > new Date(before.finishedAt), 'the file was processed again');
    await page.getByRole('link', { name: /Download ZIP/ }).waitFor();

    await page.getByRole('link', { name: '← Jobs' }).click();
    const jobs = page.getByRole('list', { name: 'Jobs' });
    await jobs.getByRole('link', { name: 'Wedding Silva' }).waitFor();
    assert.match((await jobs.locator('li').first().textContent()) ?? '', /completed with errors/);
    await context.close();
  });

  it('sends a file above 100 MB straight to storage as a multipart upload, resumes it after a page reload, and shows why the worker failed it', async () => {
    const studio = await t.createTenant('studio');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-console-big-'));
    try {
      const big = path.join(dir, 'HUGE_0001.NEF');
      await writeFile(big, Buffer.alloc(101 * 1024 * 1024 + 4321, 0x5a)); // not a RAW file at all
      const { page, context } = await signIn(browser, t.baseUrl, studio.key);
      const puts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'PUT') puts.push(request.url());
      });
      await page.getByRole('link', { name: 'New job' }).click();
      await page.getByLabel('Job name').fill('Big card');
      await page.getByRole('button', { name: 'Create job' }).click();
      await page.getByText('Status: draft').waitFor();

      await page.getByLabel('Add RAW files').setInputFiles(big);
      // The page is reloaded while the parts go up; picking the file again resumes its upload
      // instead of declaring it a second time.
      for (let waited = 0; !puts.some((url) => /[?&]partNumber=/.test(url)) && waited < 30_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await page.reload();
      await page.getByText('Status: draft').waitFor();
      await page.getByLabel('Add RAW files').setInputFiles(big);
      await page.getByText('Uploaded 1 of 1 files').waitFor();
      const parts = puts.filter((url) => /[?&]partNumber=\d+/.test(url) && /[?&]uploadId=/.test(url));
      assert.ok(parts.length >= 2, `uploaded in parts (${parts.length})`);
      assert.ok(
        parts.every((url) => !url.startsWith(t.baseUrl)),
        'straight to storage',
      );
      assert.equal(puts.filter((url) => url.includes('/content')).length, 0, 'not through the API');

      await page.getByRole('button', { name: 'Submit job' }).click();
      await page.getByText('Status: failed').waitFor({ timeout: 300_000 });
      const row = page.locator('table.files tr', { hasText: 'HUGE_0001.NEF' });
      assert.equal(await row.count(), 1, 'declared once, though picked twice');
      assert.equal(await row.locator('td').nth(1).textContent(), '101.0 MB');
      assert.equal(await row.locator('td').nth(2).textContent(), 'failed');
      assert.ok(((await row.locator('td').nth(3).textContent()) ?? '').length > 5, 'the reason is shown next to the file');
      assert.equal(await page.getByRole('link', { name: /Download ZIP/ }).count(), 0, 'nothing to download');
      await saveScreenshot(page, 'studio-multipart-failed');
      await context.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
