/**
 * A worker thread of the local thumbnail Lambda: the handler the Lambda runs in AWS, unchanged,
 * off the API's event loop (a HEIC decode is about a second of synchronous WebAssembly).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { S3Event } from 'aws-lambda';
import type { ThumbnailConfig } from '#config';
import { createThumbnailHandler, type RecordOutcome } from '#thumbnails';
import type { ThreadReply } from './thread-pool.js';

const port = parentPort!;
const send = (reply: ThreadReply<RecordOutcome[]>) => port.postMessage(reply);
const handler = createThumbnailHandler(workerData as ThumbnailConfig, {
  log: (level, message, fields) => send({ type: 'log', level, message, fields }),
});

port.on('message', (task: { id: number; input: S3Event }) => {
  handler(task.input).then(
    (value) => send({ type: 'result', id: task.id, ok: true, value }),
    (error: unknown) => {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      send({ type: 'result', id: task.id, ok: false, error: { name, message, stack } });
    },
  );
});
