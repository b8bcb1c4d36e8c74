import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, jwtVerify, type JSONWebKeySet } from 'jose';

type SigningKey = Exclude<Awaited<ReturnType<typeof importJWK>>, Uint8Array>;
import type { LocalSecrets } from '../state/secrets.js';
import { publicJwk } from '../state/secrets.js';

const ACCESS_TTL_SECONDS = 24 * 3600;
const REFRESH_TTL_SECONDS = 7 * 24 * 3600;

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
}

/** Issues tokens the way the PyAirtable auth service does (HS256, 24 h access, 7 d refresh), plus ES256. */
export class TokenIssuer {
  private constructor(
    private readonly secrets: LocalSecrets,
    private readonly es256Key: SigningKey,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static async create(secrets: LocalSecrets, issuer: string, audience: string): Promise<TokenIssuer> {
    const key = await importJWK(secrets.jwtEs256PrivateJwk, 'ES256');
    if (key instanceof Uint8Array) throw new Error('the ES256 signing key must be an EC private key');
    return new TokenIssuer(secrets, key, issuer, audience);
  }

  jwks(): JSONWebKeySet {
    return { keys: [publicJwk(this.secrets.jwtEs256PrivateJwk)] };
  }

  async issuePair(subject: string, tenant: string, algorithm: 'HS256' | 'ES256' = 'HS256'): Promise<TokenPair> {
    return {
      access_token: await this.sign({ tenant, scope: 'api' }, subject, algorithm, ACCESS_TTL_SECONDS),
      refresh_token: await this.sign({ tenant, typ: 'refresh' }, subject, 'HS256', REFRESH_TTL_SECONDS),
      token_type: 'Bearer',
      expires_in: ACCESS_TTL_SECONDS,
    };
  }

  async refresh(refreshToken: string): Promise<TokenPair | undefined> {
    try {
      const { payload } = await jwtVerify(refreshToken, this.secrets.jwtHs256Secret, { algorithms: ['HS256'], issuer: this.issuer, audience: this.audience });
      if (payload.typ !== 'refresh' || typeof payload.sub !== 'string' || typeof payload.tenant !== 'string') return undefined;
      return await this.issuePair(payload.sub, payload.tenant);
    } catch {
      return undefined;
    }
  }

  private async sign(claims: Record<string, unknown>, subject: string, algorithm: 'HS256' | 'ES256', ttlSeconds: number): Promise<string> {
    const jwt = new SignJWT(claims)
      .setSubject(subject)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ttlSeconds}s`);
    if (algorithm === 'HS256') return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(this.secrets.jwtHs256Secret);
    const kid = (this.secrets.jwtEs256PrivateJwk).kid;
    return jwt.setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(kid ? { kid } : {}) }).sign(this.es256Key);
  }
}
