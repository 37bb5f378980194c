import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './app-config.js';

const REQUIRED = ['DATABASE_URL', 'ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY'] as const;

function awsEnv(): Record<string, string> {
  return {
    RUNTIME: 'aws',
    DATABASE_URL: `postgres://revela:${randomBytes(16).toString('hex')}@db.revela-prod.internal:5432/revela`,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    CALLBACK_SIGNING_KEY: randomBytes(32).toString('base64url'),
    INTERNAL_PORT: '8081',
  };
}

/** The ConfigError's problems; fails when the environment is accepted or something else is thrown. */
function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration with RUNTIME=aws', () => {
  it('starts with the three secrets set, and uses AWS S3 when S3_ENDPOINT is unset', () => {
    const env = awsEnv();
    const config = loadConfig(env);
    assert.equal(config.runtime, 'aws');
    assert.equal(config.adminToken, env.ADMIN_TOKEN);
    assert.equal(config.adminTokenGenerated, false);
    assert.equal(config.callbackSigningKey, env.CALLBACK_SIGNING_KEY);
    assert.equal(config.database.url, env.DATABASE_URL);
    assert.deepEqual([config.s3.endpoint, config.s3.forcePathStyle], [undefined, false]);
  });

  for (const missing of REQUIRED) {
    it(`refuses to start without ${missing}, naming only it`, () => {
      const env: Record<string, string | undefined> = awsEnv();
      delete env[missing];
      assert.deepEqual(problems(env), [`${missing}: is required when RUNTIME=aws`]);
      const empty = problems({ ...env, [missing]: '' });
      assert.ok(empty.includes(`${missing}: is required when RUNTIME=aws`), `empty counts as missing: ${empty.join('; ')}`);
      assert.ok(
        empty.every((p) => p.startsWith(`${missing}: `)),
        'and only it is named',
      );
    });
  }

  it('names every missing one at once', () => {
    assert.deepEqual(
      problems({ RUNTIME: 'aws' }).sort(),
      [
        ...REQUIRED.map((key) => `${key}: is required when RUNTIME=aws`),
        'INTERNAL_PORT: is required when RUNTIME=aws (internal routes get their own listener)',
      ].sort(),
    );
  });

  it('refuses placeholder values, without echoing them', () => {
    const placeholders: Array<[(typeof REQUIRED)[number], string]> = [
      ['ADMIN_TOKEN', 'changeme-changeme-changeme-changeme'],
      ['ADMIN_TOKEN', 'x'.repeat(40)],
      ['ADMIN_TOKEN', '<admin token: 32 or more random characters>'],
      ['CALLBACK_SIGNING_KEY', 'placeholder-signing-key-0123456789abcdef'],
      ['CALLBACK_SIGNING_KEY', 'your-signing-key-goes-here-please-0123'],
      ['DATABASE_URL', 'postgres://user:pass@host:5432/db'],
      ['DATABASE_URL', 'postgres://revela:secret@db.example.com:5432/revela'],
    ];
    for (const [key, value] of placeholders) {
      const found = problems({ ...awsEnv(), [key]: value });
      const expected =
        key === 'DATABASE_URL' ? 'has a placeholder or sample password' : 'is a placeholder or sample value; set a random secret';
      assert.deepEqual(found, [`${key}: ${expected}`], `${key}=${value}`);
      assert.ok(!found.join().includes(value), 'values are never echoed');
    }
  });

  it('keeps the rules to RUNTIME=aws: embedded generates what is missing', () => {
    const config = loadConfig({ RUNTIME: 'embedded' });
    assert.equal(config.adminTokenGenerated, true);
    assert.ok(config.adminToken.length >= 32 && config.callbackSigningKey.length >= 32);
    assert.equal(config.database.url, undefined);
  });
});
