import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_FILES, type ApiKeyRecord } from '../../src/state/secrets.js';

/** Reads the secrets a test stack generated in its state directory (tests forge tokens with them). */
export function stackSecrets(stateDir: string): { apiKey: string; hs256: Uint8Array; es256Jwk: Record<string, unknown> } {
  const keys = JSON.parse(readFileSync(join(stateDir, SECRET_FILES.apiKeys), 'utf8')) as ApiKeyRecord[];
  return {
    apiKey: keys[0]?.key ?? '',
    hs256: new TextEncoder().encode(readFileSync(join(stateDir, SECRET_FILES.hs256), 'utf8').trim()),
    es256Jwk: JSON.parse(readFileSync(join(stateDir, SECRET_FILES.es256), 'utf8')) as Record<string, unknown>,
  };
}
