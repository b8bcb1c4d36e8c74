import type { Service } from '../../catalog/index.js';
import type { TokenIssuer } from '../token-issuer.js';

/** What an endpoint set needs besides the request. */
export interface EndpointContext {
  readonly service: Service;
  readonly tokens: TokenIssuer;
}

export function notFound(what: string, id: string): { status: number; body: unknown } {
  return { status: 404, body: { error: 'not_found', message: `${what} ${id} does not exist` } };
}

export function badRequest(message: string): { status: number; body: unknown } {
  return { status: 400, body: { error: 'bad_request', message } };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
