import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientPool } from './clients.js';
import type { Identities } from './engine.js';
import type { LoadPlan } from './plan.js';
import type { LoginUser } from './requests.js';
import { LOAD_TEST_KEY_ID } from '../state/secrets.js';

export class IdentityError extends Error {
  override name = 'IdentityError';
}

export interface IdentitySources {
  /** A file holding the API key for api_key requests (its only line, or the first key of an api-keys.json). */
  readonly apiKeyFile: string | undefined;
  /** A file holding the load-test users' password; without one a random one is made for the run. */
  readonly passwordFile: string | undefined;
}

/** Reads the API key, and logs the plan's jwt users in through the target's login route, each from its own address. */
export async function identitiesFor(plan: LoadPlan, target: URL, clients: ClientPool, sources: IdentitySources): Promise<Identities> {
  const credentials = new Set(plan.scenarios.flatMap((scenario) => scenario.requests.map((request) => request.credentials)));
  const needsUsers = credentials.has('jwt') || plan.scenarios.some((scenario) => scenario.requests.some((request) => JSON.stringify(request.body ?? {}).includes('${')));
  const apiKey = credentials.has('api_key') ? readApiKey(sources.apiKeyFile) : undefined;
  if (!needsUsers) return { apiKey, users: [], tokens: [] };
  const password = sources.passwordFile ? readFileSync(sources.passwordFile, 'utf8').trim() : randomBytes(18).toString('base64url');
  // Logins in the mix spread over many users (and so addresses): the login route is limited per address.
  const users: LoginUser[] = Array.from({ length: Math.max(plan.jwtUsers, clients.addresses.length) }, (_, index) => ({ email: `load-${index + 1}@tenant-${index + 1}.loadtest.example`, password }));
  if (!credentials.has('jwt')) return { apiKey, users, tokens: [] };
  const login = plan.loginEndpoint;
  if (login === undefined) throw new IdentityError('jwt requests need a login endpoint, and the catalog names none');
  const tokens = await Promise.all(users.slice(0, plan.jwtUsers).map(async (user, index) => {
    let response;
    try {
      response = await clients.of(index).request({ origin: target.origin, path: login, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user), signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new IdentityError(`cannot log ${user.email} in at ${new URL(login, target).href}: ${(error as Error).message}`);
    }
    const text = await response.body.text();
    const token = response.statusCode === 200 ? (JSON.parse(text) as { access_token?: unknown }).access_token : undefined;
    if (typeof token !== 'string') throw new IdentityError(`logging ${user.email} in at ${new URL(login, target).href} answered ${response.statusCode}: ${text.slice(0, 200)}`);
    return token;
  }));
  return { apiKey, users, tokens };
}

/** The API key in `file`: a key alone on one line, or an api-keys.json (its load-test key, else its first). */
export function readApiKey(file: string | undefined): string {
  if (file === undefined) throw new IdentityError('api_key requests need a key: give --api-key-file (or SRE_LOADTEST_API_KEY_FILE)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new IdentityError(`cannot read the API key file ${file}: ${(error as Error).message}`);
  }
  if (text.startsWith('[')) {
    // An api-keys.json: its load-test key, else its first.
    const records = JSON.parse(text) as { id?: unknown; key?: unknown }[];
    const key = (records.find((record) => record.id === LOAD_TEST_KEY_ID) ?? records[0])?.key;
    if (typeof key !== 'string') throw new IdentityError(`${file} is a JSON array without a "key" in its first record`);
    return key;
  }
  if (text.length === 0 || text.includes('\n')) throw new IdentityError(`${file} must hold the API key alone on one line`);
  return text;
}
