import { RevelaProblem } from '#sdk';
import { UsageError } from './config.js';

/** Exit codes: 0 success, 1 failure, 2 usage or setup, 3 finished with some files failed. */
export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3 } as const;

/** Results on stdout (text, or with `--json` one JSON document); notes and progress on stderr. */
export class Output {
  constructor(readonly json: boolean) {}

  /** Progress and notes for people, on stderr, so stdout stays parseable. */
  info(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  /** The command's result: `text` for people, `data` for scripts. */
  result(data: unknown, text: string): void {
    process.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  }
}

/** A failure as the user should read it: the API's problem details, field by field. */
export function describeFailure(error: unknown): { message: string; problem?: unknown } {
  if (error instanceof RevelaProblem) {
    const fields = (error.errors ?? []).map((e) => `\n  ${e.field}: ${e.message}`).join('');
    return { message: `${error.title}${error.detail ? `: ${error.detail}` : ''} (HTTP ${error.status})${fields}`, problem: error.problem };
  }
  if (error instanceof Error && 'cause' in error && error.cause instanceof Error && /fetch failed/.test(error.message)) {
    return { message: `Cannot reach the API: ${error.cause.message}` };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export function reportFailure(error: unknown, json: boolean): number {
  const { message, problem } = describeFailure(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: problem ?? { title: message } }, null, 2)}\n`);
  process.stderr.write(`revela: ${message}\n`);
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}
