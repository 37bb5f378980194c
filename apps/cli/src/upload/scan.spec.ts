import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scanFolder, scanInputs } from './scan.js';
import { STATE_FILE } from './state.js';

describe('scanning a card for upload', () => {
  it('finds files in sub-folders, sorted, named by base name; skips hidden files and folders (the resume state) and empty files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-scan-'));
    try {
      await mkdir(path.join(dir, 'DCIM', '101CANON'), { recursive: true });
      await mkdir(path.join(dir, '.Trashes'));
      await writeFile(path.join(dir, 'DCIM', '101CANON', 'IMG_0002.CR2'), 'bb');
      await writeFile(path.join(dir, 'DCIM', '101CANON', 'IMG_0001.CR2'), 'a');
      await writeFile(path.join(dir, 'top.nef'), 'ccc');
      await writeFile(path.join(dir, 'empty.nef'), '');
      await writeFile(path.join(dir, STATE_FILE), '{}');
      await writeFile(path.join(dir, '.Trashes', 'old.nef'), 'x');
      const files = await scanFolder(dir);
      assert.deepEqual(
        files.map((f) => [f.relativePath, f.filename, f.bytes]),
        [
          [path.join('DCIM', '101CANON', 'IMG_0001.CR2'), 'IMG_0001.CR2', 1],
          [path.join('DCIM', '101CANON', 'IMG_0002.CR2'), 'IMG_0002.CR2', 2],
          ['top.nef', 'top.nef', 3],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the files named on the command line', () => {
  it('takes folders and files together, relative to the folder holding them all, each file once; a missing path is named', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-inputs-'));
    try {
      await mkdir(path.join(dir, 'card', 'DCIM'), { recursive: true });
      await mkdir(path.join(dir, 'loose'));
      await writeFile(path.join(dir, 'card', 'DCIM', 'a.nef'), 'a');
      await writeFile(path.join(dir, 'loose', 'b.nef'), 'bb');
      await writeFile(path.join(dir, 'loose', 'empty.nef'), '');
      const set = await scanInputs([
        path.join(dir, 'card'),
        path.join(dir, 'loose', 'b.nef'),
        path.join(dir, 'card', 'DCIM', 'a.nef'),
        path.join(dir, 'loose', 'empty.nef'),
      ]);
      assert.equal(set.base, dir);
      assert.deepEqual(
        set.files.map((f) => [f.relativePath, f.filename, f.bytes]),
        [
          [path.join('card', 'DCIM', 'a.nef'), 'a.nef', 1],
          [path.join('loose', 'b.nef'), 'b.nef', 2],
        ],
      );
      const single = await scanInputs([path.join(dir, 'loose', 'b.nef')]);
      assert.equal(single.base, path.join(dir, 'loose'), 'one file: its folder keeps the state');
      await assert.rejects(scanInputs([path.join(dir, 'nope.nef')]), /No such file or folder: .*nope\.nef/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
