import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';
import { readOrCreateSecret } from './secret-file.js';

/** The secrets a local run needs. None has a default in code: each is generated on first start. */
export interface LocalSecrets {
  /** Shared HS256 key, as the auth service signs with today. */
  readonly jwtHs256Secret: Uint8Array;
  /** ES256 signing key of the simulated auth service; its public half is served as a JWKS. */
  readonly jwtEs256PrivateJwk: JWK;
  readonly apiKeys: readonly ApiKeyRecord[];
}

export const apiKeyRecordSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  tenant: z.string().min(1),
  key: z.string().min(32),
  rate_limit_per_minute: z.number().int().min(1).optional(),
  /** The control plane's role for this key: viewer (read), operator (change incidents, send reports), admin. */
  role: z.enum(['viewer', 'operator', 'admin']).optional(),
});
export type ApiKeyRecord = z.infer<typeof apiKeyRecordSchema>;

/** The id of the API key the load generator sends with, in a generated api-keys.json. */
export const LOAD_TEST_KEY_ID = 'load-test';

export const SECRET_FILES = {
  hs256: 'secrets/jwt-hs256.key',
  es256: 'secrets/jwt-es256.private.jwk.json',
  apiKeys: 'secrets/api-keys.json',
  /** The bearer token Alertmanager sends to the control plane's webhook. */
  controlPlaneWebhookToken: 'secrets/control-plane-webhook.token',
  /** The shared secret PagerDuty signs its webhooks to the control plane with. */
  pagerDutyWebhookSecret: 'secrets/pagerduty-webhook.secret',
} as const;

/** The control plane's webhook secrets, made on first use like the others. */
export async function loadOrCreateWebhookSecrets(stateDirectory: string): Promise<{ webhookToken: string; pagerDutySecret: string }> {
  const token = await readOrCreateSecret(join(stateDirectory, SECRET_FILES.controlPlaneWebhookToken), () => `${randomBytes(32).toString('base64url')}\n`);
  const secret = await readOrCreateSecret(join(stateDirectory, SECRET_FILES.pagerDutyWebhookSecret), () => `${randomBytes(32).toString('base64url')}\n`);
  return { webhookToken: token.trim(), pagerDutySecret: secret.trim() };
}

export async function loadOrCreateSecrets(stateDirectory: string): Promise<LocalSecrets> {
  const hs256 = await readOrCreateSecret(join(stateDirectory, SECRET_FILES.hs256), () => randomBytes(48).toString('base64url'));
  const es256 = await readOrCreateSecret(join(stateDirectory, SECRET_FILES.es256), createEs256Jwk);
  const apiKeys = await readOrCreateSecret(join(stateDirectory, SECRET_FILES.apiKeys), () =>
    `${JSON.stringify([
      { id: 'local-operator', tenant: 'local', key: `sre_${randomBytes(24).toString('base64url')}`, role: 'admin' },
      // For `sre loadtest` and `sre up --traffic`: a tenant of its own, whose limit no profile reaches.
      { id: LOAD_TEST_KEY_ID, tenant: 'load-test', key: `sre_${randomBytes(24).toString('base64url')}`, rate_limit_per_minute: 10_000_000, role: 'operator' },
    ], null, 2)}\n`,
  );
  return {
    jwtHs256Secret: new TextEncoder().encode(hs256.trim()),
    jwtEs256PrivateJwk: JSON.parse(es256) as JWK,
    apiKeys: z.array(apiKeyRecordSchema).parse(JSON.parse(apiKeys)),
  };
}

async function createEs256Jwk(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return `${JSON.stringify({ ...jwk, kid: `local-${randomUUID()}`, alg: 'ES256', use: 'sig' }, null, 2)}\n`;
}

const PUBLIC_JWK_FIELDS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

/** The public half of a key: an allowlist of fields, so no private parameter can slip through. */
export function publicJwk(privateJwk: JWK): JWK {
  const publicPart: JWK = {};
  for (const field of PUBLIC_JWK_FIELDS) if (privateJwk[field] !== undefined) publicPart[field] = privateJwk[field];
  return publicPart;
}
