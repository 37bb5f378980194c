import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The console is served by the API at /app/ (same origin); `npm test` and `npm start` build it into
// dist/console, which apps/api/src/console/console-static.ts serves.
export default defineConfig({
  root: here('.'),
  base: '/app/',
  plugins: [react()],
  resolve: { alias: { '#sdk': here('../../libs/sdk/src/index.ts'), '#default-preset': here('../../libs/imaging/src/raw/preset.ts') } },
  build: { outDir: here('../../dist/console'), emptyOutDir: true, sourcemap: true },
  logLevel: 'warn',
});
