import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What one run of `revela upload` leaves behind so that the next run resumes instead of starting over. */
export interface UploadState {
  apiUrl: string;
  jobName: string;
  jobId: string;
  submitted: boolean;
  /** By path relative to the folder. */
  files: Record<string, { fileId: string; bytes: number; mtimeMs: number; uploaded: boolean }>;
}

export const STATE_FILE = '.revela-upload.json';

export function statePath(folder: string): string {
  return path.join(folder, STATE_FILE);
}

export async function loadState(file: string): Promise<UploadState | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as UploadState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read the resume state ${file}: ${(error as Error).message}. Delete it to start over.`, { cause: error });
  }
}

/** Saved atomically after every declare and every finished upload, so a kill loses nothing. */
export class StateStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly state: UploadState,
  ) {}

  save(): Promise<void> {
    const snapshot = JSON.stringify(this.state, null, 2);
    this.writing = this.writing.then(async () => {
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, snapshot);
      await rename(temporary, this.file);
    });
    return this.writing;
  }
}
