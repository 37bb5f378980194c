import path from 'node:path';

/** Root of the shared fixture set; tests run from the repository root. */
export const fixturesRoot = process.env.REVELA_FIXTURES ?? path.resolve(process.cwd(), '../shared/fixtures');

export function fixture(...segments: string[]): string {
  return path.join(fixturesRoot, ...segments);
}
