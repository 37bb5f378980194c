import { stdSerializers } from 'pino';

/** What a PostgreSQL error may keep in the logs: enough to act on, nothing a row held. */
const DRIVER_FIELDS = ['name', 'code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine'] as const;
/** Where SQL and its bound values travel on TypeORM's and node-postgres' errors. */
const DROPPED = ['query', 'parameters', 'sql', 'detail', 'where', 'internalQuery', 'hint'];

/**
 * pino's error serializer without SQL and query parameters. TypeORM's QueryFailedError carries the
 * statement and its bound values (a tutor's e-mail or phone), and PostgreSQL's `detail` repeats
 * key values ("Key (microchip_id)=(…) already exists"); none of that reaches a log line.
 */
export interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function safeErrorSerializer(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const serialized = stdSerializers.err(error) as unknown as SerializedError;
  for (const field of DROPPED) delete serialized[field];
  const driver = (error as { driverError?: Record<string, unknown> }).driverError;
  if (driver && typeof driver === 'object') {
    serialized.driverError = Object.fromEntries(DRIVER_FIELDS.filter((f) => driver[f] !== undefined).map((f) => [f, driver[f]]));
  }
  if (serialized.cause instanceof Error) serialized.cause = safeErrorSerializer(serialized.cause);
  return serialized;
}
