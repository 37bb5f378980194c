import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createScratch, removeScratch, sweepStaleScratch } from './scratch.js';

describe('worker scratch folders', () => {
  const parents: string[] = [];
  after(async () => {
    for (const dir of parents) await rm(dir, { recursive: true, force: true });
  });

  it('removes the folders of workers that are gone, keeps live ones and anything that is not a worker folder', async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'revela-scratch-spec-'));
    parents.push(parent);
    const mine = await createScratch(parent, 'live-worker');
    await writeFile(path.join(mine, 'file-1.nef'), 'partial download');
    // A pid that certainly ran and exited: a finished child process's.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const crashed = path.join(parent, 'revela-worker-crashed');
    await mkdir(path.join(crashed, 'file-abc'), { recursive: true });
    await writeFile(path.join(crashed, 'owner.pid'), String(deadPid));
    await writeFile(path.join(crashed, 'file-abc', 'raw.cr3'), Buffer.alloc(1024));
    const noOwner = path.join(parent, 'revela-worker-old-version');
    await mkdir(noOwner);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(noOwner, twoDaysAgo, twoDaysAgo);
    // Without an owner file and recent: perhaps a worker of an older version at work; left alone.
    const recentNoOwner = path.join(parent, 'revela-worker-recent');
    await mkdir(recentNoOwner);
    const unrelated = path.join(parent, 'something-else');
    await mkdir(unrelated);

    const removed = await sweepStaleScratch(parent);
    assert.deepEqual(removed.sort(), [crashed, noOwner].sort());
    assert.deepEqual((await readdir(parent)).sort(), ['revela-worker-live-worker', 'revela-worker-recent', 'something-else']);

    await removeScratch(mine);
    assert.deepEqual((await readdir(parent)).sort(), ['revela-worker-recent', 'something-else']);
  });
});
