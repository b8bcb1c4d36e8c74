import { describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../../../src/gateway/auth/api-keys.js';

describe('API key store', () => {
  const store = new ApiKeyStore([
    { id: 'ci', tenant: 't-ci', key: 'sre_0123456789abcdef0123456789abcdef' },
    { id: 'ops', tenant: 't-ops', key: 'sre_fedcba9876543210fedcba9876543210', rate_limit_per_minute: 50 },
  ]);

  it('finds the principal of a valid key', () => {
    expect(store.verify('sre_fedcba9876543210fedcba9876543210')).toEqual({ kind: 'api-key', id: 'ops', tenant: 't-ops', rateLimitPerMinute: 50 });
  });

  it.each(['', 'sre_0123456789abcdef0123456789abcde', 'sre_0123456789abcdef0123456789abcdef ', 'SRE_0123456789ABCDEF0123456789ABCDEF'])('refuses %j', (key) => {
    expect(store.verify(key)).toBeUndefined();
  });

  it('keeps no key in clear', () => {
    expect(JSON.stringify(store)).not.toContain('0123456789abcdef');
  });
});
