import type { FileOutput } from '#database';
import { safeFilename } from '#storage';

/** A variant's download name: the original's base name (no extension, no path) + the variant. */
export function outputFilename(original: string, output: Pick<FileOutput, 'variant' | 'extension'>, suffix = ''): string {
  const base = safeFilename(original).replace(/\.[^.]*$/, '') || 'file';
  return `${base}${suffix}_${output.variant}.${output.extension}`;
}

/** ZIP entry names: each variant's download name, made unique within the archive. */
export function archiveEntryNames(files: Array<{ filename: string; outputs: FileOutput[] }>): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const file of files) {
    for (const output of file.outputs) {
      let name = outputFilename(file.filename, output);
      for (let n = 2; used.has(name.toLowerCase()); n += 1) name = outputFilename(file.filename, output, `-${n}`);
      used.add(name.toLowerCase());
      names.set(output.key, name);
    }
  }
  return names;
}
