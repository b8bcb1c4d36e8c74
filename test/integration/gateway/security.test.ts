import { createHmac } from 'node:crypto';
import { SignJWT, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../../helpers/catalog.js';
import { metricsText, rawRequest, sampleValue } from '../../helpers/http.js';
import { startStack, type Stack } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';

let stack: Stack;
let secrets: ReturnType<typeof stackSecrets>;
const ISSUER = 'pyairtable-auth';
const AUDIENCE = 'pyairtable-api';

beforeAll(async () => {
  stack = await startStack(await testCatalog());
  secrets = stackSecrets(stack.catalog.dir);
});
afterAll(async () => {
  await stack.stop();
});

function hs256(claims: Record<string, unknown> = {}, options: { exp?: string | number; nbf?: string | number; iss?: string; aud?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ tenant: 't-test', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u-test')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '1h');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(secrets.hs256);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function callWith(headers: Record<string, string>): Promise<{ status: number; body: { error?: string; reason?: string } }> {
  // A raw request: fetch() refuses some of the malformed headers these tests send on purpose.
  const response = await rawRequest(stack.gatewayUrl, '/api/users/me', { headers });
  return { status: response.status, body: JSON.parse(response.body) as { error?: string; reason?: string } };
}

describe('credentials', () => {
  it('accepts the API key from the state directory', async () => {
    expect((await callWith({ 'x-api-key': secrets.apiKey })).status).toBe(200);
  });

  it('accepts an HS256 token issued by the simulated auth service through the gateway', async () => {
    const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ops@example.com', password: 'long-enough' }) });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(await callWith({ authorization: `Bearer ${token}` })).toMatchObject({ status: 200 });
  });

  it('accepts an ES256 token whose key it fetches from the JWKS by kid', async () => {
    const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ops@example.com', password: 'long-enough', algorithm: 'ES256' }) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'ES256', kid: secrets.es256Jwk.kid });
    expect(await callWith({ authorization: `Bearer ${token}` })).toMatchObject({ status: 200 });
  });

  it.each([
    ['no credentials', {}, 'missing_credentials'],
    ['a wrong API key', { 'x-api-key': 'sre_not-the-key-but-long-enough-to-look-real' }, 'invalid_api_key'],
    ['an empty API key', { 'x-api-key': '' }, 'invalid_api_key'],
    ['a Basic authorization', { authorization: 'Basic Zm9vOmJhcg==' }, 'malformed_authorization'],
    ['garbage as a bearer token', { authorization: 'Bearer not.a.jwt' }, 'invalid_token'],
    ['binary garbage as a bearer token', { authorization: 'Bearer \xff\xfe\xfd' }, 'malformed_authorization'],
  ])('refuses %s with 401 and a JSON reason', async (_name, headers, reason) => {
    const result = await callWith(headers);
    expect(result).toMatchObject({ status: 401, body: { error: 'unauthorized', reason } });
  });

  it('refuses alg "none"', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'u-1', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expect(await callWith({ authorization: `Bearer ${token}` })).toMatchObject({ status: 401 });
  });

  it('refuses an HS256 token signed with the ES256 public key (algorithm confusion)', async () => {
    const publicKey = await importJWK({ kty: 'EC', crv: secrets.es256Jwk.crv, x: secrets.es256Jwk.x, y: secrets.es256Jwk.y } as Parameters<typeof importJWK>[0], 'ES256', { extractable: true });
    const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
    const header = base64url({ alg: 'HS256', typ: 'JWT', kid: secrets.es256Jwk.kid });
    const payload = base64url({ sub: 'u-1', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 });
    for (const key of [pem, JSON.stringify({ kty: 'EC', x: secrets.es256Jwk.x, y: secrets.es256Jwk.y })]) {
      const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
      expect(await callWith({ authorization: `Bearer ${header}.${payload}.${signature}` })).toMatchObject({ status: 401, body: { reason: 'invalid_token' } });
    }
  });

  it('refuses an ES256 token signed by a key that is not in the JWKS', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: String(secrets.es256Jwk.kid) }).setSubject('u-1').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey);
    expect(await callWith({ authorization: `Bearer ${token}` })).toMatchObject({ status: 401, body: { reason: 'invalid_token' } });
  });

  it('refuses an RS256 token with an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'nobody' }).setSubject('u-1').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(privateKey);
    expect(await callWith({ authorization: `Bearer ${token}` })).toMatchObject({ status: 401, body: { reason: 'unknown_key' } });
  });

  it.each([
    ['an expired token', () => hs256({}, { exp: Math.floor(Date.now() / 1000) - 60 }), 'expired_token'],
    ['a token not valid yet', () => hs256({}, { nbf: Math.floor(Date.now() / 1000) + 600 }), 'token_not_yet_valid'],
    ['a token from another issuer', () => hs256({}, { iss: 'someone-else' }), 'invalid_claims'],
    ['a token for another audience', () => hs256({}, { aud: 'another-api' }), 'invalid_claims'],
    ['a refresh token', () => hs256({ typ: 'refresh' }), 'invalid_claims'],
    ['a token with a tampered payload', async () => {
      const [header, , signature] = (await hs256()).split('.');
      return `${header ?? ''}.${base64url({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature ?? ''}`;
    }, 'invalid_token'],
  ])('refuses %s', async (_name, token, reason) => {
    expect(await callWith({ authorization: `Bearer ${await token()}` })).toMatchObject({ status: 401, body: { reason } });
  });

  it('lets public routes through without credentials', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/auth/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('counts auth failures by service and reason', async () => {
    await callWith({});
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_auth_failures_total', { service: 'user', reason: 'missing_credentials' })).toBeGreaterThanOrEqual(1);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once the strict auth-route budget is spent', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let index = 0; index < 25 && !limited; index++) {
      const response = await fetch(`${stack.gatewayUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x@y.io","password":"short"}' });
      statuses.push(response.status);
      if (response.status === 429) limited = response;
      else await response.arrayBuffer();
    }
    // The first test used one login from the same client; the strict policy allows 20 a minute.
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(17);
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited?.headers.get('x-ratelimit-limit')).toBe('20');
    expect(limited?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await limited?.json()).toMatchObject({ error: 'rate_limited' });
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_rate_limited_requests_total', { service: 'auth', policy: 'strict' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses a client with 429 after 30 failed authentications a minute, even with a valid key then, and only that client', async () => {
    // Clients on other loopback addresses: the tests above spent some of 127.0.0.1's failures.
    const guesser = { localAddress: '127.0.0.2' };
    const statuses: number[] = [];
    for (let index = 0; index < 30; index++) {
      statuses.push((await rawRequest(stack.gatewayUrl, '/api/users/me', { ...guesser, headers: { 'x-api-key': `sre_guess-${index}-padding-padding-padding` } })).status);
    }
    expect(statuses).toEqual(Array.from({ length: 30 }, () => 401));
    const refused = await rawRequest(stack.gatewayUrl, '/api/users/me', { ...guesser, headers: { 'x-api-key': secrets.apiKey } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'too_many_auth_failures' });
    expect((await rawRequest(stack.gatewayUrl, '/api/users/me', { localAddress: '127.0.0.3', headers: { 'x-api-key': secrets.apiKey } })).status).toBe(200);
    // Public routes stay open to the refused client.
    expect((await rawRequest(stack.gatewayUrl, '/api/auth/.well-known/jwks.json', guesser)).status).toBe(200);
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_rate_limited_requests_total', { service: 'user', policy: 'auth_failures' })).toBe(1);
  });

  it('keeps the default policy per client: the API-key client is not limited by the login flood', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/users/me`, { headers: { 'x-api-key': secrets.apiKey } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
  });
});

describe('hostile requests get a 4xx JSON answer, never a 5xx or a crash', () => {
  it.each([
    ['/api/airtable/%zz', 400],
    ['/api/airtable/../users/me', 400],
    ['/api/airtable/%2e%2e/users', 400],
    ['/api/airtable/.%2E/users', 400],
    ['/api/airtable//bases', 400],
    ['/api/airtable/bases%5c..%5c', 400],
    ['/api/airtable/bases%00', 400],
    ['http://evil.example/api/airtable/bases', 400],
    ['*', 400],
  ])('%s -> %i', async (path, status) => {
    const response = await rawRequest(stack.gatewayUrl, path, { headers: { 'x-api-key': secrets.apiKey } });
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'bad_request' });
  });

  it('answers 431 with JSON for oversized headers', async () => {
    const response = await rawRequest(stack.gatewayUrl, '/api/users/me', { headers: { 'x-api-key': secrets.apiKey, 'x-padding': 'a'.repeat(20_000) } });
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'headers_too_large' });
  });

  it('answers 413 for a declared body over the limit, without calling the upstream', async () => {
    const response = await rawRequest(stack.gatewayUrl, '/api/files', { method: 'POST', headers: { 'x-api-key': secrets.apiKey, 'content-length': String(11 * 1024 * 1024) } });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'payload_too_large' });
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const response = await rawRequest(stack.gatewayUrl, '/api/files', { method: 'POST', headers: { 'x-api-key': secrets.apiKey, 'transfer-encoding': 'chunked' }, body: Buffer.alloc(11 * 1024 * 1024, 1) });
    expect(response.status).toBe(413);
  });

  it('does not open the upstream circuit for clients that keep sending oversized chunked bodies', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await rawRequest(stack.gatewayUrl, '/api/files', { method: 'POST', headers: { 'x-api-key': secrets.apiKey, 'transfer-encoding': 'chunked' }, body: Buffer.alloc(11 * 1024 * 1024, 1) });
      expect(response.status).toBe(413);
    }
    expect(sampleValue(await metricsText(stack.gatewayUrl), 'gateway_upstream_circuit_state', { service: 'automation-domain', state: 'closed' })).toBe(1);
  });

  it('answers 400 for a request that is not HTTP', async () => {
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(stack.catalog.gatewayPort, '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
      let text = '';
      socket.on('data', (data) => (text += data.toString()));
      socket.on('close', () => { resolve(text); });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('"error":"bad_request"');
  });

  it('is still healthy after all of the above, with no 5xx recorded', async () => {
    expect((await fetch(`${stack.gatewayUrl}/healthz`)).status).toBe(200);
    const exposition = await metricsText(stack.gatewayUrl);
    const fiveHundreds = exposition.split('\n').filter((line) => line.startsWith('http_server_request_duration_seconds_count') && /http_response_status_code="5\d\d"/.test(line));
    expect(fiveHundreds).toEqual([]);
  });
});
