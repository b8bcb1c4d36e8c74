import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthFailure, type Principal } from './principal.js';

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly ('HS256' | 'RS256' | 'ES256')[];
  readonly clockToleranceSeconds: number;
  /** The HS256 shared secret; without it HS256 tokens are refused. */
  readonly hs256Secret?: Uint8Array | undefined;
  /** JWKS for RS256/ES256 keys, selected by `kid`. */
  readonly jwksUrl?: URL | undefined;
  readonly cacheSize?: number;
}

interface CachedToken {
  readonly principal: Principal;
  readonly notBeforeMs: number;
  readonly expiresAtMs: number;
}

const ASYMMETRIC = new Set(['RS256', 'ES256']);

/**
 * Verifies bearer tokens with jose against an algorithm allowlist. The key is chosen by the
 * algorithm family, so a token "signed" with HS256 using the public key (the classic confusion)
 * is checked against the shared secret and fails, and `alg: none` is never in the allowlist.
 * Verified tokens are cached until they expire: repeated requests with the same token cost a
 * map lookup, not a signature check.
 */
export class JwtVerifier {
  private readonly cache = new Map<string, CachedToken>();
  private readonly cacheSize: number;
  private readonly getKey: JWTVerifyGetKey;

  constructor(private readonly options: JwtVerifierOptions) {
    this.cacheSize = options.cacheSize ?? 10_000;
    const jwks = options.jwksUrl ? createRemoteJWKSet(options.jwksUrl, { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) : undefined;
    this.getKey = async (header, token) => {
      if (header.alg === 'HS256') {
        if (!options.hs256Secret) throw new AuthFailure('unsupported_algorithm', 'HS256 tokens are not accepted by this gateway');
        return options.hs256Secret;
      }
      if (ASYMMETRIC.has(header.alg) && jwks) return jwks(header, token);
      throw new AuthFailure('unsupported_algorithm', `algorithm ${header.alg} is not accepted; allowed: ${options.algorithms.join(', ')}`);
    };
  }

  async verify(token: string, nowMs: number = Date.now()): Promise<Principal> {
    const cached = this.cache.get(token);
    const toleranceMs = this.options.clockToleranceSeconds * 1000;
    if (cached && nowMs + toleranceMs >= cached.notBeforeMs && nowMs - toleranceMs < cached.expiresAtMs) return cached.principal;
    if (cached) this.cache.delete(token);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        algorithms: [...this.options.algorithms],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw toAuthFailure(error);
    }
    if (payload.typ === 'refresh') throw new AuthFailure('invalid_claims', 'a refresh token cannot be used to call the API');
    const principal: Principal = { kind: 'jwt', id: payload.sub ?? '', tenant: typeof payload.tenant === 'string' ? payload.tenant : undefined, role: typeof payload.role === 'string' ? payload.role : undefined };
    this.remember(token, { principal, notBeforeMs: (payload.nbf ?? 0) * 1000, expiresAtMs: (payload.exp ?? 0) * 1000 });
    return principal;
  }

  private remember(token: string, entry: CachedToken): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, entry);
  }
}

function toAuthFailure(error: unknown): AuthFailure {
  if (error instanceof AuthFailure) return error;
  if (error instanceof errors.JWTExpired) return new AuthFailure('expired_token', 'token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf'
      ? new AuthFailure('token_not_yet_valid', 'token is not valid yet (nbf)')
      : new AuthFailure('invalid_claims', `token claim "${error.claim}" is invalid: ${error.reason}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthFailure('unsupported_algorithm', 'token algorithm is not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthFailure('unknown_key', 'no signing key matches the token kid');
  return new AuthFailure('invalid_token', 'token is malformed or its signature does not verify');
}
