/**
 * `npm run build:lambda`: bundles the thumbnail Lambda with esbuild (ESM, Node 20) into
 * dist/lambda/thumbnail-lambda.zip. sharp and heic-decode stay external: their packages (sharp's
 * native linux-x64 ones, libheif's wasm) and their dependencies are copied into the zip's node_modules.
 * Handler setting: `index.handler`.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ZipArchive } from 'archiver';
import { build } from 'esbuild';

const root = process.cwd();
const outDir = path.join(root, 'dist', 'lambda');
const staging = path.join(outDir, 'thumbnail-lambda');
const zipPath = path.join(outDir, 'thumbnail-lambda.zip');
/** Loaded at run time, not bundled: sharp's native binaries, and heic-decode's WebAssembly libheif. */
const EXTERNAL = ['sharp', 'heic-decode'];
const SHIPPED = [...EXTERNAL, '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'];

/** A package and, recursively, its runtime dependencies (resolved from the one that needs them). */
function packageClosure(name: string, from: string, seen = new Map<string, string>()): Map<string, string> {
  if (seen.has(name)) return seen;
  const requireFrom = createRequire(path.join(from, 'package.json'));
  let dir: string;
  try {
    dir = path.dirname(requireFrom.resolve(`${name}/package.json`));
  } catch {
    dir = path.join(root, 'node_modules', name);
  }
  if (!existsSync(path.join(dir, 'package.json'))) throw new Error(`${name} is not installed (needed in the Lambda bundle)`);
  seen.set(name, dir);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) packageClosure(dependency, dir, seen);
  return seen;
}

async function zipDirectory(source: string, target: string): Promise<void> {
  await rm(target, { force: true });
  try {
    execFileSync('zip', ['-q', '-r', '-X', '-y', target, '.'], { cwd: source, stdio: 'inherit' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const output = createWriteStream(target);
  const done = new Promise<void>((resolve, reject) => {
    output.on('close', () => resolve());
    archive.on('error', reject);
  });
  archive.pipe(output);
  archive.directory(source, false);
  await archive.finalize();
  await done;
}

async function main(): Promise<void> {
  const entry = path.join(root, 'dist', 'apps', 'thumbnail-lambda', 'src', 'handler.js');
  if (!existsSync(entry)) throw new Error('run `npm run build` first (dist/apps/thumbnail-lambda/src/handler.js is missing)');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });

  await build({
    entryPoints: [entry],
    outfile: path.join(staging, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: EXTERNAL,
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    // Bundled CommonJS dependencies may still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __revelaCreateRequire } from 'node:module'; const require = __revelaCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });

  const closure = new Map<string, string>();
  for (const name of SHIPPED) packageClosure(name, root, closure);
  for (const [name, dir] of closure) {
    await cp(dir, path.join(staging, 'node_modules', name), { recursive: true, dereference: true });
  }

  await zipDirectory(staging, zipPath);
  const { size } = await stat(zipPath);
  process.stdout.write(
    `${path.relative(root, zipPath)}: ${(size / 1024 / 1024).toFixed(1)} MB (handler index.handler; node_modules: ${[...closure.keys()].join(', ')})\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`build:lambda failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
