import { createRevelaClient, type RevelaClient } from '#sdk';
import { resolveConfig } from './config.js';
import { retryingFetch } from './retry.js';

export interface Connection {
  client: RevelaClient;
  apiUrl: string;
}

/** The SDK client, retrying what is safe to repeat after a network error (retry.ts). */
export function sdkClient(apiUrl: string, apiKey: string): RevelaClient {
  return createRevelaClient({ baseUrl: apiUrl, apiKey, fetch: retryingFetch() });
}

/** The SDK client with the stored (or REVELA_API_KEY) key. */
export async function connect(apiUrlOption?: string): Promise<Connection> {
  const { apiUrl, apiKey } = await resolveConfig(apiUrlOption);
  return { client: sdkClient(apiUrl, apiKey), apiUrl };
}
