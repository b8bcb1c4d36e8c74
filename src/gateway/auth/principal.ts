/** Who a request acts for, once its credentials are verified. */
export interface Principal {
  readonly kind: 'api-key' | 'jwt';
  /** API key id or JWT subject. */
  readonly id: string;
  readonly tenant: string | undefined;
  /** Per-key override of the default rate limit (requests per minute), when the key sets one. */
  readonly rateLimitPerMinute?: number | undefined;
  /** The control plane's role (viewer, operator, admin), when the key record or the token's `role` claim gives one. */
  readonly role?: string | undefined;
}

export const AUTH_FAILURE_REASONS = [
  'missing_credentials',
  'malformed_authorization',
  'invalid_api_key',
  'invalid_token',
  'expired_token',
  'token_not_yet_valid',
  'invalid_claims',
  'unsupported_algorithm',
  'unknown_key',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export class AuthFailure extends Error {
  override name = 'AuthFailure';
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }
}
