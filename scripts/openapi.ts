/**
 * `npm run openapi`: writes the API's OpenAPI document to openapi/revela.json and regenerates the
 * SDK's types from it (libs/sdk/src/schema.d.ts). The app is built in preview mode: its modules and
 * routes are read, nothing connects to a database or S3.
 */
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type ResolvedConfig } from '#config';
import { API_VERSIONING } from '../apps/api/src/app.factory.js';
import { AppModule } from '../apps/api/src/app.module.js';
import { buildOpenApiDocument } from '../apps/api/src/openapi.js';
import { renderSdkTypes, renderSpec, SDK_TYPES_FILE, SPEC_FILE } from './openapi-contract.js';

async function main(): Promise<void> {
  const config = loadConfig({
    RUNTIME: 'embedded',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/unused',
  }) as ResolvedConfig;
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  app.enableVersioning(API_VERSIONING);
  const document = buildOpenApiDocument(app);
  await writeFile(SPEC_FILE, renderSpec(document));
  await writeFile(SDK_TYPES_FILE, await renderSdkTypes(document));
  await app.close();
  for (const file of [SPEC_FILE, SDK_TYPES_FILE]) process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
