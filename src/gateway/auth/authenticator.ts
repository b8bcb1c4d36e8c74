import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyStore } from './api-keys.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { AuthFailure, type Principal } from './principal.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;
const MAX_CREDENTIAL_LENGTH = 8192;

/** Turns a request's credentials (X-API-Key or a bearer JWT) into a Principal, or an AuthFailure. */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeyStore,
    private readonly jwt: JwtVerifier,
  ) {}

  /**
   * API keys are settled at once, with no promise: they are what most traffic carries, and a
   * promise per request costs the hot path a microtask. Bearer tokens may need the JWKS.
   */
  authenticate(headers: IncomingHttpHeaders): Principal | AuthFailure | Promise<Principal | AuthFailure> {
    const apiKey = headers['x-api-key'];
    if (apiKey !== undefined) {
      if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_CREDENTIAL_LENGTH) {
        return new AuthFailure('invalid_api_key', 'X-API-Key must be sent once, with a value');
      }
      return this.apiKeys.verify(apiKey) ?? new AuthFailure('invalid_api_key', 'API key is not valid');
    }
    const authorization = headers.authorization;
    if (authorization === undefined) {
      return new AuthFailure('missing_credentials', 'send a bearer token (Authorization: Bearer ...) or an API key (X-API-Key)');
    }
    if (authorization.length > MAX_CREDENTIAL_LENGTH) return new AuthFailure('malformed_authorization', 'Authorization header is too long');
    const bearer = BEARER.exec(authorization);
    if (!bearer?.[1]) return new AuthFailure('malformed_authorization', 'Authorization must be "Bearer <JWT>"');
    return this.verifyBearer(bearer[1]);
  }

  private async verifyBearer(token: string): Promise<Principal | AuthFailure> {
    try {
      return await this.jwt.verify(token);
    } catch (error) {
      if (error instanceof AuthFailure) return error;
      throw error;
    }
  }
}
