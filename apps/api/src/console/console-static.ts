import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where `vite build` puts the web console (apps/console): `dist/console`, beside the compiled API. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../../console/', import.meta.url));

/**
 * Serves the web console's static build at `/app/` from the API's own origin, so the browser calls
 * the API without CORS. Nothing is served when the console was not built (then `/app` is a 404).
 */
export function serveConsole(app: NestFastifyApplication, root = CONSOLE_DIR): boolean {
  if (!existsSync(`${root}/index.html`)) return false;
  app.useStaticAssets({ root, prefix: '/app/', index: 'index.html', decorateReply: false });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/app', (_request, reply) => reply.redirect('/app/'));
  return true;
}
