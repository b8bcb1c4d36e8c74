import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyStore } from '../gateway/auth/api-keys.js';
import type { JwtVerifier } from '../gateway/auth/jwt-verifier.js';
import { AuthFailure, type Principal } from '../gateway/auth/principal.js';

/** What a caller may do: read (viewer), change incidents and send reports (operator), everything (admin). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  readonly id: string;
  readonly role: Role;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };
const BEARER = /^Bearer (\S+)$/;
export const SESSION_COOKIE = 'sre_session';

export function allows(caller: Caller, needed: Role): boolean {
  return RANK[caller.role] >= RANK[needed];
}

/**
 * The callers of the control plane, verified as the gateway verifies its own: API keys (X-API-Key,
 * or the status page's session cookie, which holds one) and bearer JWTs, with the role the key
 * record or the token's `role` claim gives; none given is a viewer.
 */
export class CallerAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeyStore,
    private readonly jwt: JwtVerifier,
  ) {}

  async authenticate(headers: IncomingHttpHeaders, cookies: Readonly<Record<string, string>>): Promise<Caller | AuthFailure> {
    const key = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : cookies[SESSION_COOKIE];
    if (key !== undefined && key !== '') {
      const principal = this.apiKeys.verify(key);
      return principal ? callerOf(principal) : new AuthFailure('invalid_api_key', 'API key is not valid');
    }
    const bearer = BEARER.exec(headers.authorization ?? '');
    if (!bearer?.[1]) return new AuthFailure('missing_credentials', 'send an API key (X-API-Key) or a bearer token (Authorization: Bearer ...)');
    try {
      return callerOf(await this.jwt.verify(bearer[1]));
    } catch (error) {
      if (error instanceof AuthFailure) return error;
      throw error;
    }
  }
}

function callerOf(principal: Principal): Caller {
  const role = ROLES.find((r) => r === principal.role) ?? 'viewer';
  return { id: `${principal.kind}:${principal.id}`, role };
}

/** A webhook's bearer token against the one in its secret file, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = BEARER.exec(header ?? '')?.[1] ?? '';
  const expected = Buffer.from(token);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * PagerDuty's v3 webhook signature: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>`,
 * possibly several comma-separated (while a secret rotates); one must match.
 */
export function pagerDutySignatureMatches(header: string | undefined, rawBody: Buffer, secret: string): boolean {
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  return (header ?? '').split(',').some((signature) => {
    const given = Buffer.from(signature.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
