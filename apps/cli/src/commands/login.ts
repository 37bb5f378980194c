import { createInterface } from 'node:readline/promises';
import { createRevelaClient, unwrap } from '#sdk';
import { configPath, DEFAULT_API_URL, readStoredConfig, storeConfig, UsageError } from '../config.js';
import type { Output } from '../output.js';

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** Asks for the key on a terminal without echoing it. */
async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
  let asked = false;
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (!asked) {
      asked = true;
      write(s);
    }
  };
  try {
    return await rl.question(question);
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * `revela login`: takes the key from --key, REVELA_API_KEY, standard input (piped) or a prompt,
 * checks it against the API, and stores it in the user's config file (0600).
 */
export async function loginCommand(options: { apiUrl?: string; key?: string }, out: Output): Promise<number> {
  const stored = await readStoredConfig();
  const apiUrl = options.apiUrl || process.env.REVELA_API_URL || stored.apiUrl || DEFAULT_API_URL;
  const key = (options.key ?? process.env.REVELA_API_KEY ?? (process.stdin.isTTY ? await prompt('API key: ') : await readAll(process.stdin))).trim();
  if (!key) throw new UsageError('No API key given: paste it at the prompt, pipe it in, or set REVELA_API_KEY.');
  const tenant = await unwrap(createRevelaClient({ baseUrl: apiUrl, apiKey: key }).GET('/v1/tenant'));
  const file = configPath();
  await storeConfig({ apiUrl, apiKey: key }, file);
  out.result({ tenant, apiUrl, config: file }, `Signed in to ${tenant.name} (${tenant.kind}) at ${apiUrl}. Key stored in ${file} (readable only by you).`);
  return 0;
}
