import { hash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord } from '../../state/secrets.js';
import type { Principal } from './principal.js';

interface StoredKey {
  readonly digest: Buffer;
  readonly principal: Principal;
}

/**
 * API keys held only as SHA-256 digests. A presented key is compared against every stored digest
 * with timingSafeEqual and no early exit, so the time taken says nothing about which key, or how
 * much of one, matched.
 */
export class ApiKeyStore {
  private readonly keys: readonly StoredKey[];

  constructor(records: readonly ApiKeyRecord[]) {
    this.keys = records.map((record) => ({
      digest: digest(record.key),
      principal: { kind: 'api-key', id: record.id, tenant: record.tenant, rateLimitPerMinute: record.rate_limit_per_minute, role: record.role },
    }));
  }

  verify(presented: string): Principal | undefined {
    const candidate = digest(presented);
    let found: Principal | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, candidate)) found = key.principal;
    }
    return found;
  }
}

/**
 * The hex digest's bytes: Node's one-shot hash() returns hex several times faster than a Buffer,
 * and this runs on every API-key request (docs/performance/methodology.md).
 */
function digest(key: string): Buffer {
  return Buffer.from(hash('sha256', key), 'latin1');
}
