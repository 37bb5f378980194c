import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const PREFIX = 'revela-worker-';
const OWNER_FILE = 'owner.pid';
/** A folder without an owner file (written by an older worker, or mid-creation) is stale only once this old. */
const UNOWNED_STALE_MS = 24 * 3600 * 1000;

/**
 * The worker's scratch folder, `revela-worker-{workerId}` under `parent`, with the owner's pid in
 * it so that a later worker can tell an abandoned folder (its owner crashed or was killed) from
 * one in use.
 */
export async function createScratch(parent: string, workerId: string): Promise<string> {
  const dir = path.join(parent, `${PREFIX}${workerId}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

export async function removeScratch(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes the scratch folders under `parent` whose owner is no longer running, and those without an
 * owner file that have not changed for a day. Answers the folders removed.
 */
export async function sweepStaleScratch(parent: string, isAlive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(PREFIX)) continue;
    const dir = path.join(parent, entry.name);
    const pid = Number.parseInt(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0) {
      if (isAlive(pid)) continue;
    } else {
      const modified = await stat(dir).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      if (Date.now() - modified < UNOWNED_STALE_MS) continue;
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
