import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';

/**
 * - `none`: every request goes through to the S3 server;
 * - `slowdown`: S3 answers 503 SlowDown, as it does under a request-rate spike or a partial outage;
 * - `down`: connections are cut as soon as they open (S3 unreachable).
 */
export type S3Fault = 'none' | 'slowdown' | 'down';

export interface S3FaultProxy {
  /** Where the API, the Lambda and the presigned URLs point instead of the S3 server. */
  endpoint: string;
  fault: S3Fault;
  /** Extra latency before a request is forwarded (e.g. to keep a worker's files in flight longer). */
  delay?: (method: string, path: string) => number;
  /** Requests to answer by resetting the connection, as a flaky network does (e.g. the first upload PUT). */
  cut?: (method: string, url: URL) => boolean;
  /** Requests that met a fault, by fault. */
  readonly faulted: Record<Exclude<S3Fault, 'none'>, number>;
  /** Multipart uploads created through the proxy and neither completed nor aborted. */
  openMultipartUploads(): string[];
  readonly multipart: {
    created: Set<string>;
    completed: Set<string>;
    aborted: Set<string>;
  };
  close(): Promise<void>;
}

const SLOW_DOWN = (requestId: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>${requestId}</RequestId></Error>`;

/**
 * An HTTP proxy in front of the test's S3 server (s3rver on loopback) that can fail on demand. It
 * also answers AbortMultipartUpload and ListMultipartUploads itself (s3rver implements neither) from
 * its books of multipart uploads, so a test can check that none is left open.
 */
export async function startS3FaultProxy(upstream: string): Promise<S3FaultProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const multipart = {
    created: new Set<string>(),
    completed: new Set<string>(),
    aborted: new Set<string>(),
  };
  /** Where each upload created through the proxy lives, for ListMultipartUploads. */
  const targets = new Map<string, { bucket: string; key: string }>();
  const isOpen = (id: string) => !multipart.completed.has(id) && !multipart.aborted.has(id);
  const faulted = { slowdown: 0, down: 0 };
  const server = createServer((req, res) => void handle(req, res));
  let fault: S3Fault = 'none';

  server.on('connection', (socket) => {
    if (fault === 'down') {
      faulted.down += 1;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const wait = proxy.delay?.(req.method ?? 'GET', url.pathname) ?? 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (proxy.cut?.(req.method ?? 'GET', url)) {
      req.socket.destroy();
      return;
    }
    if (fault === 'down') {
      faulted.down += 1;
      req.socket.destroy();
      return;
    }
    if (fault === 'slowdown') {
      faulted.slowdown += 1;
      req.resume();
      const body = req.method === 'HEAD' ? '' : SLOW_DOWN(randomBytes(8).toString('hex'));
      res.writeHead(503, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(body),
        'x-amz-request-id': 'revela-fault',
      });
      res.end(body);
      return;
    }
    const uploadId = url.searchParams.get('uploadId');
    const [, bucket = '', ...keyParts] = url.pathname.split('/').map((segment) => decodeURIComponent(segment));
    if (req.method === 'GET' && url.searchParams.has('uploads') && keyParts.join('/') === '') {
      // ListMultipartUploads (path style, one page), which s3rver answers 501.
      req.resume();
      const prefix = url.searchParams.get('prefix') ?? '';
      const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const uploads = [...targets]
        .filter(([id, at]) => at.bucket === bucket && at.key.startsWith(prefix) && isOpen(id))
        .map(([id, at]) => `<Upload><Key>${xml(at.key)}</Key><UploadId>${xml(id)}</UploadId></Upload>`)
        .join('');
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xml(bucket)}</Bucket><Prefix>${xml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`;
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'DELETE' && uploadId) {
      // AbortMultipartUpload, which s3rver answers 405: S3 answers 204.
      req.resume();
      multipart.aborted.add(uploadId);
      res.writeHead(204).end();
      return;
    }
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamRes) => {
        const creating = req.method === 'POST' && url.searchParams.has('uploads');
        const completing = req.method === 'POST' && uploadId !== null;
        if (!creating && !completing) {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          const body = Buffer.concat(chunks);
          const ok = (upstreamRes.statusCode ?? 500) < 300 && !body.includes('<Error>');
          if (ok && creating) {
            const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body.toString())?.[1];
            if (id) {
              multipart.created.add(id);
              targets.set(id, { bucket, key: keyParts.join('/') });
            }
          }
          if (ok && completing) multipart.completed.add(uploadId);
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          res.end(body);
        });
      },
    );
    forwarded.on('error', () => res.destroy());
    req.on('error', () => forwarded.destroy());
    req.pipe(forwarded);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: S3FaultProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get fault() {
      return fault;
    },
    set fault(next: S3Fault) {
      fault = next;
      // An outage also cuts the connections clients keep alive.
      if (next === 'down') for (const socket of sockets) socket.destroy();
    },
    faulted,
    multipart,
    openMultipartUploads: () => [...multipart.created].filter(isOpen),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
