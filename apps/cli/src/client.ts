import { createRevelaClient, type RevelaClient } from '#sdk';
import { resolveConfig } from './config.js';

export interface Connection {
  client: RevelaClient;
  apiUrl: string;
}

/** The SDK client with the stored (or REVELA_API_KEY) key. */
export async function connect(apiUrlOption?: string): Promise<Connection> {
  const { apiUrl, apiKey } = await resolveConfig(apiUrlOption);
  return { client: createRevelaClient({ baseUrl: apiUrl, apiKey }), apiUrl };
}
