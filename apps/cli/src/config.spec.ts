import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configPath, DEFAULT_API_URL, resolveConfig, UsageError } from './config.js';

describe('CLI configuration', () => {
  it('lives in REVELA_CONFIG, else XDG_CONFIG_HOME, else ~/.config', () => {
    assert.equal(configPath({ REVELA_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg', HOME: '/h' }), '/x/c.json');
    assert.equal(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/h' }), '/xdg/revela/config.json');
    assert.equal(configPath({ HOME: '/h' }), '/h/.config/revela/config.json');
  });

  it('takes REVELA_API_KEY and REVELA_API_URL over nothing stored, and --api-url over both', async () => {
    const env = { REVELA_CONFIG: '/nonexistent/revela.json', REVELA_API_KEY: 'rvl_k' };
    assert.deepEqual(await resolveConfig(undefined, env), { apiKey: 'rvl_k', apiUrl: DEFAULT_API_URL });
    assert.deepEqual(await resolveConfig(undefined, { ...env, REVELA_API_URL: 'https://a' }), { apiKey: 'rvl_k', apiUrl: 'https://a' });
    assert.deepEqual(await resolveConfig('https://b', { ...env, REVELA_API_URL: 'https://a' }), { apiKey: 'rvl_k', apiUrl: 'https://b' });
  });

  it('without a key, says how to sign in (a usage error)', async () => {
    await assert.rejects(
      resolveConfig(undefined, { REVELA_CONFIG: '/nonexistent/revela.json' }),
      (error: unknown) => error instanceof UsageError && /revela login/.test(error.message),
    );
  });
});
