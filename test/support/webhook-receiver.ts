import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed: `{ type, timestamp, data }`. */
  event: { type: string; timestamp: string; data: Record<string, any> };
}

export type Responder = (received: ReceivedWebhook, index: number) => number | { status: number; headers?: Record<string, string> };

/** A webhook receiver on a loopback port: records every request and answers what `respond` says (200 by default). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  respond: Responder = () => 200;
  private constructor(private readonly server: Server) {}

  static async start(respond?: Responder): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let event: ReceivedWebhook['event'];
        try {
          event = JSON.parse(body);
        } catch {
          event = { type: '', timestamp: '', data: {} };
        }
        const received = { path: request.url ?? '/', headers: request.headers, body, event };
        receiver.received.push(received);
        const answer = receiver.respond(received, receiver.received.length - 1);
        const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
        response.writeHead(status, headers).end(status >= 400 ? 'nope' : 'ok');
      });
    });
    receiver = new WebhookReceiver(server);
    if (respond) receiver.respond = respond;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.event.type === type);
  }

  /** Waits until `predicate` holds for what was received (polling; bounded). */
  async waitFor<T>(predicate: (received: ReceivedWebhook[]) => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate(this.received);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; received: ${this.received.map((r) => r.event.type).join(', ') || 'nothing'}`);
      await sleep(25);
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value (bounded). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
