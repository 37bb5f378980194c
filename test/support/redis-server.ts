import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './net.js';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** A throwaway redis-server (the Debian package's binary) on a free loopback port, nothing persisted. */
export async function startRedisServer(binary = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`redis-server exited with ${code}`);
  });
  for (let i = 0; ; i += 1) {
    const ready = await Promise.race([canConnect(port), failed]);
    if (ready) break;
    if (i > 100) throw new Error('redis-server did not start');
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
