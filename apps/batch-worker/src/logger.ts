import pino from 'pino';

export type WorkerLogger = pino.Logger;

export function createWorkerLogger(level: string, workerId: string): WorkerLogger {
  return pino({ level, base: { service: 'batch-worker', workerId, pid: process.pid } });
}
