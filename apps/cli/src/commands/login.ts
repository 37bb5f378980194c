import { unwrap } from '#sdk';
import { sdkClient } from '../client.js';
import { configPath, DEFAULT_API_URL, readStoredConfig, storeConfig, UsageError } from '../config.js';
import type { Output } from '../output.js';

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** Asks for the key on a terminal without echoing it (raw mode; Enter ends, Ctrl-C cancels). */
function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the question shows: a key typed or pasted the moment it appears is not echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          return resolve(value);
        }
        if (char === '\u0003') {
          finish();
          return reject(new UsageError('Canceled.'));
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * `revela login`: takes the key from --key, REVELA_API_KEY, standard input (piped) or a prompt,
 * checks it against the API, and stores it in the user's config file (0600).
 */
export async function loginCommand(options: { apiUrl?: string; key?: string }, out: Output): Promise<number> {
  const stored = await readStoredConfig();
  const apiUrl = options.apiUrl || process.env.REVELA_API_URL || stored.apiUrl || DEFAULT_API_URL;
  const key = (
    options.key ??
    process.env.REVELA_API_KEY ??
    (process.stdin.isTTY ? await prompt('API key: ') : await readAll(process.stdin))
  ).trim();
  if (!key) throw new UsageError('No API key given: paste it at the prompt, pipe it in, or set REVELA_API_KEY.');
  const tenant = await unwrap(sdkClient(apiUrl, key).GET('/v1/tenant'));
  const file = configPath();
  await storeConfig({ apiUrl, apiKey: key }, file);
  out.result(
    { tenant, apiUrl, config: file },
    `Signed in to ${tenant.name} (${tenant.kind}) at ${apiUrl}. Key stored in ${file} (readable only by you).`,
  );
  return 0;
}
