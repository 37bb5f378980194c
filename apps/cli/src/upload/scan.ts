import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface LocalFile {
  /** Path relative to the folder (the resume state's key). */
  relativePath: string;
  absolutePath: string;
  /** The name sent to the API (kept for the ZIP): the base name. */
  filename: string;
  bytes: number;
  mtimeMs: number;
}

/** Every non-empty regular file under `folder` (sub-folders included), skipping hidden files. */
export async function scanFolder(folder: string): Promise<LocalFile[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  const files: LocalFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolutePath = path.join(entry.parentPath, entry.name);
    const relativePath = path.relative(folder, absolutePath);
    if (relativePath.split(path.sep).some((part) => part.startsWith('.'))) continue;
    const info = await stat(absolutePath);
    if (info.size === 0) continue;
    files.push({ relativePath, absolutePath, filename: entry.name, bytes: info.size, mtimeMs: info.mtimeMs });
  }
  return files.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
}

export interface UploadSet {
  /** Where the resume state lives: the folder given, or the folder that holds every path given. */
  base: string;
  files: LocalFile[];
}

/**
 * The files to upload from the command line: each folder scanned as above, each file as it is.
 * Paths are kept relative to the folder holding them all, so the same arguments find the same state.
 */
export async function scanInputs(inputs: string[]): Promise<UploadSet> {
  const resolved = inputs.map((input) => path.resolve(input));
  const infos = await Promise.all(resolved.map((input) => stat(input).catch(() => null)));
  const missing = resolved.filter((_, i) => !infos[i]?.isDirectory() && !infos[i]?.isFile());
  if (missing.length) throw new Error(`No such file or folder: ${missing.join(', ')}`);
  const base = commonFolder(resolved.map((input, i) => (infos[i]!.isDirectory() ? input : path.dirname(input))));
  const byPath = new Map<string, LocalFile>();
  for (const [i, input] of resolved.entries()) {
    const found = infos[i]!.isDirectory()
      ? await scanFolder(input)
      : [{ relativePath: '', absolutePath: input, filename: path.basename(input), bytes: infos[i]!.size, mtimeMs: infos[i]!.mtimeMs }];
    for (const file of found) {
      if (file.bytes === 0) continue;
      byPath.set(file.absolutePath, { ...file, relativePath: path.relative(base, file.absolutePath) });
    }
  }
  return { base, files: [...byPath.values()].sort((a, b) => a.relativePath.localeCompare(b.relativePath)) };
}

function commonFolder(folders: string[]): string {
  let common = folders[0].split(path.sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}
