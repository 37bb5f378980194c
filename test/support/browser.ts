import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (scripts/setup.sh installs it); override with REVELA_CHROMIUM. */
const CHROMIUM = process.env.REVELA_CHROMIUM ?? '/usr/bin/chromium';

/** Launches the real browser headless, with nothing running in the background. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (installs Debian's chromium) or set REVELA_CHROMIUM`);
  if (!existsSync(path.resolve('dist/console/index.html')))
    throw new Error('dist/console is missing: the web console is built by `npm test` (vite build)');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser session (its own sessionStorage) on the console, signed in with `apiKey`. */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  apiKey: string,
  viewport = { width: 1200, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // Uploads and workers take a while on a shared 2-core machine; these are deadlines, not measurements.
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
}

/**
 * Browser-side checks are written as expressions (the API's tsconfig has no DOM types): waits until
 * every image under `selector` has loaded real pixels, and answers their natural widths.
 */
export async function imagesLoaded(page: Page, selector: string): Promise<number[]> {
  const all = `[...document.querySelectorAll(${JSON.stringify(selector)})]`;
  await waitUntil(page, `${all}.length > 0 && ${all}.every((img) => img.complete && img.naturalWidth > 0)`, `images under ${selector}`);
  return page.evaluate(`${all}.map((img) => img.naturalWidth)`);
}

/** Waits until `selector` matches exactly `count` elements. */
export async function waitForCount(page: Page, selector: string, count: number): Promise<void> {
  await waitUntil(page, `document.querySelectorAll(${JSON.stringify(selector)}).length === ${count}`, `${count} × ${selector}`);
}

/**
 * Polls an expression until it holds. page.waitForFunction compiles its predicate inside the page,
 * which the console's Content-Security-Policy (no 'unsafe-eval') refuses; page.evaluate does not.
 */
async function waitUntil(page: Page, expression: string, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How many CSS pixels the page is wider than the window (0: nothing needs sideways scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/** Where the browser tests keep the latest screenshot of each screen they reach (shown in the README). */
export const SCREENSHOTS = path.resolve('docs/screenshots');

/** Saves what the page shows as docs/screenshots/{name}.png (the whole page, no caret or animation). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}
