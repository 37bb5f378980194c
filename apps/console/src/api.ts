import { createRevelaClient, RevelaProblem, type RevelaClient, type Schemas } from '#sdk';

export type { RevelaClient, Schemas };
export { RevelaProblem };

/** The SDK client for the API that served this page (same origin). */
export function connect(apiKey: string): RevelaClient {
  return createRevelaClient({ baseUrl: window.location.origin, apiKey });
}

/** What to tell the user about a failure: the problem's detail (or title), never a stack. */
export function describeError(error: unknown): string {
  if (error instanceof RevelaProblem) return error.detail ?? error.title;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The problem's field errors by field path (`tutor.name`), for showing next to the fields. */
export function fieldErrors(error: unknown): Record<string, string> {
  const byField: Record<string, string> = {};
  if (error instanceof RevelaProblem) {
    for (const { field, message } of error.errors ?? []) byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return byField;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
