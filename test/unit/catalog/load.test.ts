import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../../src/catalog/index.js';
import { lineOf, problems, shippedCatalog } from '../../helpers/catalog-problems.js';

const good = shippedCatalog;



describe('loading slo/catalog.yaml', () => {
  it('accepts the shipped catalog and derives upstream hosts and ports', () => {
    const catalog = parseCatalog(good, 'slo/catalog.yaml');
    expect(catalog.services.map((s) => s.id)).toEqual(['airtable-domain', 'automation-domain', 'ai-domain', 'auth', 'user', 'workspace', 'permission']);
    expect(catalog.services[0]).toMatchObject({ upstreamHost: '127.0.0.1', upstreamPort: 8091 });
    expect(catalog.services.find((s) => s.id === 'ai-domain')?.resilience).toMatchObject({ timeout: 30_000, breaker: { consecutive_failures: 3, half_open_after: 120_000, max_half_open_after: 300_000 } });
    expect(catalog.gateway.rate_limits.strict).toEqual({ requests: 20, per: 60_000 });
  });

  it('names file, line and field of a bad YAML document', () => {
    expect(problems('version: 1\nplatform: [unclosed\n')).toEqual([expect.stringMatching(/^slo\/catalog\.yaml:\d+:\d+: invalid YAML: /)]);
  });

  it('rejects an unknown key with its line and the allowed keys', () => {
    const text = good.replace('    owner: data-platform', '    owner: data-platform\n    ownr: typo');
    expect(problems(text)).toEqual([
      `slo/catalog.yaml:${lineOf(text, 'ownr: typo')}:5: services[0].ownr: unknown key "ownr"; allowed keys: id, description, consolidates, upstream, owner, tier, kind, routes, endpoints, resilience, simulation, slos, cost`,
    ]);
  });

  it('rejects an id outside [a-z0-9-] and says what is valid', () => {
    const text = good.replace('id: airtable-domain', 'id: Airtable_Domain');
    expect(problems(text)).toEqual([
      `slo/catalog.yaml:${lineOf(text, 'Airtable_Domain')}:9: services[0].id: must be lowercase letters, digits and dashes ([a-z0-9-]), starting and ending with a letter or digit`,
    ]);
  });

  it('rejects a duration without a unit', () => {
    const text = good.replace('timeout: 5s', 'timeout: 5');
    expect(problems(text)[0]).toMatch(/services\[0\]\.resilience\.timeout: /);
    const text2 = good.replace('timeout: 5s', 'timeout: five');
    expect(problems(text2)).toEqual([`slo/catalog.yaml:${lineOf(text2, 'timeout: five')}:16: services[0].resilience.timeout: "five" is not a positive duration; use a number with a unit, such as 500ms, 30s, 5m, 1h or 30d`]);
  });

  it('points a missing field at its parent', () => {
    const text = good.replace('    owner: data-platform\n', '');
    expect(problems(text)).toEqual([`slo/catalog.yaml:${lineOf(text, '- id: airtable-domain') }:5: services[0].owner: is required (string)`]);
  });

  it('rejects duplicate ids, shared ports and prefixes routed twice', () => {
    const text = good
      .replace('id: automation-domain', 'id: airtable-domain')
      .replace('http://127.0.0.1:8092', 'http://127.0.0.1:8091')
      .replace('prefix: /api/files', 'prefix: /api/airtable');
    expect(problems(text)).toEqual([
      expect.stringMatching(/services\[1\]\.id: duplicate service id "airtable-domain" \(first used by services\[0\]\); ids must be unique$/),
      expect.stringMatching(/services\[1\]\.upstream: 127\.0\.0\.1:8091 is already used by services\[0\]\.upstream; every listener needs its own port$/),
      expect.stringMatching(/services\[1\]\.routes\[2\]\.prefix: prefix \/api\/airtable is already routed to airtable-domain; a prefix routes to one service$/),
      expect.stringMatching(/services\[1\]\.endpoints\[3\]: \/api\/files\/\{fileId\} lies under none of this service's route prefixes/),
    ]);
  });

  it('rejects an endpoint template outside the service prefixes', () => {
    const text = good.replace('      - /api/airtable/reports/{reportId}', '      - /api/reports/{reportId}');
    expect(problems(text)).toEqual([expect.stringContaining('services[0].endpoints[4]: /api/reports/{reportId} lies under none of this service\'s route prefixes (/api/airtable)')]);
  });

  it('refuses version 2 by name', () => {
    expect(problems(good.replace('version: 1', 'version: 2'))).toEqual(['slo/catalog.yaml:5:10: version: must be 1, the only catalog version this tool reads']);
  });
});

describe('zero durations', () => {
  it('allows 0ms simulated latency but not a 0s timeout', () => {
    expect(() => parseCatalog(good.replace('latency: { median: 12ms, p95: 40ms }', 'latency: { median: 0ms, p95: 0ms }'), 'c.yaml')).not.toThrow();
    expect(problems(good.replace('timeout: 5s', 'timeout: 0s'))).toEqual([expect.stringContaining('services[0].resilience.timeout: "0s" is not a positive duration')]);
  });
});

describe('consolidation in the catalog', () => {
  it('refuses a consolidated service that is not in the baseline, naming the valid ones', () => {
    const text = good.replace('consolidates: [auth-service]', 'consolidates: [auth-servce]');
    expect(problems(text)).toEqual([expect.stringMatching(/services\[3\]\.consolidates\[0\]: auth-servce is not in cost\.baseline; use one of api-gateway, auth-service, /)]);
  });

  it('refuses a baseline service consolidated into two components', () => {
    const text = good.replace('consolidates: [user-service]', 'consolidates: [user-service, auth-service]');
    expect(problems(text)).toEqual([expect.stringMatching(/services\[4\]\.consolidates\[1\]: auth-service is already consolidated into auth; a baseline service is replaced by one component$/)]);
  });

  it('keeps the id "gateway" for the gateway', () => {
    const text = good.replace('  - id: permission\n', '  - id: gateway\n');
    expect(problems(text)).toEqual([expect.stringMatching(/services\[6\]\.id: "gateway" names the gateway itself/)]);
  });
});
