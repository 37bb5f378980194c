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
