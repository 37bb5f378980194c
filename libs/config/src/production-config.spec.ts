import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './app-config.js';

/** What a production (RUNTIME=aws) configuration must have; each case names the variable it refuses. */
const AWS = {
  RUNTIME: 'aws',
  DATABASE_URL: 'postgres://revela_api:Xk3v9QmZ2pL7wR4tY8nB@db.internal:5432/revela',
  ADMIN_TOKEN: 'Qz8rT2mX7vK4pL9wN3bY6cH1jF5gD0sA',
  CALLBACK_SIGNING_KEY: 'Vb6nM2kP9xR4tL7wQ1zY8cJ3hF5gD0sE',
  PORT: '3000',
  INTERNAL_PORT: '3001',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.join('\n');
  }
  assert.fail('the configuration was accepted');
}

describe('production configuration', () => {
  it('accepts a complete production configuration', () => {
    assert.equal(loadConfig(AWS).internalPort, 3001);
  });

  it('turns the API documentation off in production unless asked for', () => {
    assert.equal(loadConfig(AWS).http.docsEnabled, false);
    assert.equal(loadConfig({ ...AWS, DOCS_ENABLED: 'true' }).http.docsEnabled, true);
    assert.equal(loadConfig({ RUNTIME: 'embedded' }).http.docsEnabled, true);
  });

  it('trusts no proxy by default', () => {
    assert.deepEqual(loadConfig(AWS).http.trustedProxies, []);
    assert.deepEqual(loadConfig({ ...AWS, TRUSTED_PROXIES: '10.40.0.0/16, 10.40.1.5' }).http.trustedProxies, ['10.40.0.0/16', '10.40.1.5']);
    assert.match(refusal({ ...AWS, TRUSTED_PROXIES: 'everyone' }), /^TRUSTED_PROXIES:/m);
  });

  it("refuses the repository's own sample secrets and obvious placeholders, naming the variable and not the value", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ADMIN_TOKEN: 'change-me-change-me-change-me-change-me' }, /^ADMIN_TOKEN: is a placeholder/m],
      [{ CALLBACK_SIGNING_KEY: 'change-me-too-change-me-too-change-me-too' }, /^CALLBACK_SIGNING_KEY: is a placeholder/m],
      [{ ADMIN_TOKEN: 'your-admin-token-goes-here-please-1234' }, /^ADMIN_TOKEN:/m],
      [{ ADMIN_TOKEN: 'a'.repeat(40) }, /^ADMIN_TOKEN:/m],
      [{ CALLBACK_SIGNING_KEY: '0123012301230123012301230123012301230123' }, /^CALLBACK_SIGNING_KEY:/m],
      [{ DATABASE_URL: 'postgres://postgres:revela@postgres:5432/revela' }, /^DATABASE_URL: has a placeholder/m],
      [{ DATABASE_MIGRATION_URL: 'postgres://owner:password@db:5432/revela' }, /^DATABASE_MIGRATION_URL:/m],
    ];
    for (const [change, expected] of cases) {
      const problems = refusal({ ...AWS, ...change });
      assert.match(problems, expected, JSON.stringify(change));
      for (const value of Object.values(change)) assert.ok(!problems.includes(value), 'the value itself is never echoed');
    }
    assert.doesNotThrow(
      () => loadConfig({ RUNTIME: 'embedded', ADMIN_TOKEN: 'change-me-change-me-change-me-change-me' }),
      'locally anything goes',
    );
  });

  it('puts the internal routes on their own listener: INTERNAL_PORT is required and differs from PORT', () => {
    assert.match(refusal({ ...AWS, INTERNAL_PORT: undefined }), /^INTERNAL_PORT: is required when RUNTIME=aws/m);
    assert.match(refusal({ ...AWS, INTERNAL_PORT: '3000' }), /^INTERNAL_PORT: must differ from PORT/m);
    assert.equal(loadConfig({ RUNTIME: 'embedded' }).internalPort, undefined, 'locally one port serves both');
  });
});
