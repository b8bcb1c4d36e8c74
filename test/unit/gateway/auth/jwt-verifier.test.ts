import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../../../src/gateway/auth/jwt-verifier.js';
import { AuthFailure } from '../../../../src/gateway/auth/principal.js';

const secret = new TextEncoder().encode('a-test-secret-that-is-long-enough-for-hs256');
const verifier = new JwtVerifier({ issuer: 'iss', audience: 'aud', algorithms: ['HS256'], clockToleranceSeconds: 5, hs256Secret: secret });

function token(expiresAt: number): Promise<string> {
  return new SignJWT({ tenant: 't1' }).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('iss').setAudience('aud').setExpirationTime(expiresAt).sign(secret);
}

describe('JWT verifier', () => {
  it('returns the principal of a valid token', async () => {
    expect(await verifier.verify(await token(Math.floor(Date.now() / 1000) + 60))).toEqual({ kind: 'jwt', id: 'u1', tenant: 't1' });
  });

  it('does not serve a cached token past its expiry', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    const jwt = await token(expiresAt);
    await verifier.verify(jwt);
    const failure = await verifier.verify(jwt, (expiresAt + 6) * 1000).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthFailure);
    expect((failure as AuthFailure).reason).toBe('expired_token');
  });

  it('refuses ES256 when no JWKS is configured', async () => {
    const jwt = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":"u"}').toString('base64url')}.sig`;
    await expect(verifier.verify(jwt)).rejects.toMatchObject({ reason: 'unsupported_algorithm' });
  });

  it('refuses HS256 when the allowlist does not name it', async () => {
    const esOnly = new JwtVerifier({ issuer: 'iss', audience: 'aud', algorithms: ['ES256'], clockToleranceSeconds: 0, hs256Secret: secret });
    await expect(esOnly.verify(await token(Math.floor(Date.now() / 1000) + 60))).rejects.toMatchObject({ reason: 'unsupported_algorithm' });
  });
});
