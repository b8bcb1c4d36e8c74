import { z } from 'zod';
import { parseHostPort, type Catalog } from '../catalog/index.js';
import type { AccessLog } from './proxy.js';

export interface GatewayConfig {
  readonly catalog: Catalog;
  readonly host: string;
  readonly port: number;
  readonly stateDir: string;
  /** Where RS256/ES256 signing keys are published; defaults to the catalog's auth service. */
  readonly jwksUrl: URL | undefined;
  readonly accessLog: AccessLog;
}

export class GatewayConfigError extends Error {
  override name = 'GatewayConfigError';
}

const envSchema = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  GATEWAY_HOST: z.string().min(1).optional(),
  GATEWAY_JWKS_URL: z.url().optional(),
  GATEWAY_ACCESS_LOG: z.enum(['all', 'errors', 'off']).default('errors'),
});

export interface GatewayFlags {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
}

/** Flags win over environment, which wins over the catalog. Bad values fail here, at start-up. */
export function gatewayConfig(catalog: Catalog, stateDir: string, flags: GatewayFlags = {}, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? '');
    throw new GatewayConfigError(`${name}="${env[name] ?? ''}" is invalid: ${issue?.message ?? 'bad value'}`);
  }
  const listen = parseHostPort(catalog.gateway.listen);
  const authService = catalog.services.find((service) => service.kind === 'auth');
  const jwks = parsed.data.GATEWAY_JWKS_URL ?? (authService ? new URL('/.well-known/jwks.json', authService.upstream).toString() : undefined);
  return {
    catalog,
    host: flags.host ?? parsed.data.GATEWAY_HOST ?? listen.host,
    port: flags.port ?? parsed.data.GATEWAY_PORT ?? listen.port,
    stateDir,
    jwksUrl: jwks ? new URL(jwks) : undefined,
    accessLog: parsed.data.GATEWAY_ACCESS_LOG,
  };
}
