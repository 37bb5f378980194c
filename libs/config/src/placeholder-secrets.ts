/**
 * Secrets that must never reach production: the samples this repository ships (docker/compose.yaml
 * before they were removed, README examples) and obvious stand-ins. With RUNTIME=aws the API
 * refuses to start on any of them, naming the variable (never the value).
 */
const KNOWN_SAMPLES = new Set([
  'change-me-change-me-change-me-change-me',
  'change-me-too-change-me-too-change-me-too',
  'revela',
  'revela-secret',
  'postgres',
  'password',
  'pass',
  'secret',
]);

const PLACEHOLDER_WORDS =
  /<[^>]*>|change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_a-z]*(token|key|secret|password)|goes[-_ ]?here|insert[-_ ]?here|^(test|dummy|secret|password|admin)+$|todo|xxxx/i;

/** True for a sample value, a placeholder phrase, or something too uniform to be random (aaaa…, 1212…). */
export function isPlaceholderSecret(value: string): boolean {
  const normalised = value.trim();
  if (KNOWN_SAMPLES.has(normalised.toLowerCase())) return true;
  if (PLACEHOLDER_WORDS.test(normalised)) return true;
  return new Set(normalised).size < 8;
}

/** The password of a postgres:// URL, when it has one. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}
