import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { QueryFailedError } from 'typeorm';
import { fastifyLoggerOptions } from './logging.js';

const EMAIL = 'ana.tutor@example.org';
const PHONE = '+33 6 12 34 56 78';

/** The API's own logger configuration, writing into a string. */
function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const options = fastifyLoggerOptions({ logLevel: 'info' }) as pino.LoggerOptions;
  return { logger: pino({ ...options, transport: undefined }, sink), text: () => lines.join('') };
}

describe('logged errors carry no SQL and no query parameters', () => {
  it('drops the statement, its bound values and the driver detail of a failed query', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "animals_tenant_microchip_key"'), {
      code: '23505',
      constraint: 'animals_tenant_microchip_key',
      table: 'animals',
      detail: `Key (tenant_id, microchip_id)=(t, 250269604000001) already exists; tutor ${EMAIL}`,
    });
    const error = new QueryFailedError('INSERT INTO "animals"("tutor_email", "tutor_phone") VALUES ($1, $2)', [EMAIL, PHONE], driverError);
    const { logger, text } = captureLogger();
    logger.error({ err: error }, 'unhandled error');

    const line = JSON.parse(text());
    assert.ok(!text().includes(EMAIL), 'no e-mail');
    assert.ok(!text().includes(PHONE), 'no phone');
    assert.ok(!text().includes('INSERT INTO'), 'no SQL');
    assert.ok(!text().includes('250269604000001'), 'no key values from the driver detail');
    assert.equal(line.err.type, 'QueryFailedError');
    assert.equal(line.err.driverError.code, '23505', 'what an operator needs stays');
    assert.equal(line.err.driverError.constraint, 'animals_tenant_microchip_key');
    assert.ok(line.err.stack);
  });
});
