/**
 * The layering rule of the monorepo, checked on the sources: an app imports libs (through `#…`
 * subpath imports) and its own files, never another app's files; a lib never imports an app.
 * What two apps share lives in a lib, or is reached through a subpath import such as
 * `#batch-worker/main`, which package.json declares and this check therefore accepts.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = process.cwd();
const SOURCE = /\.(ts|tsx)$/;
/** Static and dynamic imports, re-exports, and `import.meta.resolve`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bresolve\s*\(\s*)['"]([^'"]+)['"]/g;

interface Violation {
  file: string;
  specifier: string;
  reaches: string;
}

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.parentPath.includes('node_modules'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** `apps/<name>` or `libs/<name>` for a repository-relative path, else null. */
function unitOf(relative: string): string | null {
  const [top, name] = relative.split(path.sep);
  return (top === 'apps' || top === 'libs') && name ? `${top}/${name}` : null;
}

/** Specs may use the shared test support; the database lib runs the migrations. */
function allowedOutside(file: string, reached: string): boolean {
  const top = reached.split(path.sep)[0];
  if (top === 'test') return /\.spec\.ts$|spec-helpers\.ts$/.test(file);
  return top === 'migrations' && file.startsWith(`libs${path.sep}database${path.sep}`);
}

/** The imports of one source file (repository-relative path) that break the layering rule. */
function violationsIn(file: string, text: string): Violation[] {
  const own = unitOf(file)!;
  const violations: Violation[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1];
    if (!specifier.startsWith('.')) continue;
    const reached = path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), specifier));
    const target = unitOf(reached);
    if (target === own || allowedOutside(file, reached)) continue;
    if (target?.startsWith('apps/')) violations.push({ file, specifier, reaches: target });
    else if (target === null) violations.push({ file, specifier, reaches: 'outside apps/ and libs/' });
    else violations.push({ file, specifier, reaches: `${target} (use its #subpath import)` });
  }
  return violations;
}

async function layeringViolations(): Promise<Violation[]> {
  const files = [...(await sourcesUnder('apps')), ...(await sourcesUnder('libs'))];
  const all = await Promise.all(files.map(async (file) => violationsIn(file, await readFile(path.join(ROOT, file), 'utf8'))));
  return all.flat();
}

describe('architecture', () => {
  it('keeps every app on its own files and libs, and every lib off the apps', async () => {
    const files = await sourcesUnder('apps');
    assert.ok(files.length > 50, `the check reads the sources (${files.length} files under apps/)`);
    assert.deepEqual(await layeringViolations(), []);
  });

  it('reports imports that cross into another app or reach a lib by path', () => {
    const api = 'apps/api/src/runtime/thumbnail-wiring.ts';
    assert.deepEqual(
      violationsIn(api, "import { createThumbnailHandler } from '../../../thumbnail-lambda/src/handler.js';").map((v) => v.reaches),
      ['apps/thumbnail-lambda'],
    );
    assert.deepEqual(
      violationsIn(api, "const main = import.meta.resolve('../../../batch-worker/src/main.js');").map((v) => v.reaches),
      ['apps/batch-worker'],
    );
    assert.deepEqual(
      violationsIn('libs/storage/src/keys.ts', "import { x } from '../../../apps/api/src/app.module.js';").map((v) => v.reaches),
      ['apps/api'],
    );
    assert.deepEqual(
      violationsIn('apps/api/src/main.ts', "import { freePort } from '../../../test/support/net.js';").map((v) => v.reaches),
      ['outside apps/ and libs/'],
    );
    assert.deepEqual(violationsIn(api, "import { keys } from '#storage';\nimport { LOCAL } from './async-invoker.js';"), []);
  });
});
