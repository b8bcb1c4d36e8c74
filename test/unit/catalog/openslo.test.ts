import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog } from '../../../src/catalog/index.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';

/** The notice names the source catalog; everything else must be byte-identical. */
function withoutSource(artifacts: Map<string, string>): Map<string, string> {
  return new Map([...artifacts].map(([path, text]) => [path, text.replaceAll(/from [^ ]*catalog\.yaml\./g, 'from <catalog>.')]));
}

describe('OpenSLO v1 input', () => {
  it('the OpenSLO example generates exactly the rules, alerts and tests of its catalog twin', () => {
    const twin = loadCatalog('slo/examples/openslo/catalog.yaml');
    const catalog = loadCatalog('slo/catalog.yaml');
    expect(twin.slos).toEqual(catalog.slos);
    const a = withoutSource(generateArtifacts(twin));
    const b = withoutSource(generateArtifacts(catalog));
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, text] of b) expect(a.get(path), path).toBe(text);
  });

  function broken(mutate: (openslo: string) => string): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'openslo-'));
    writeFileSync(join(dir, 'catalog.yaml'), readFileSync('slo/examples/openslo/catalog.yaml', 'utf8'));
    writeFileSync(join(dir, 'slos.openslo.yaml'), mutate(readFileSync('slo/examples/openslo/slos.openslo.yaml', 'utf8')));
    try {
      loadCatalog(join(dir, 'catalog.yaml'));
    } catch (error) {
      if (error instanceof CatalogError) return error.message.split('\n').map((line) => line.replace(dir, '<dir>'));
      throw error;
    }
    return [];
  }

  it('rejects an SLI that does not read the gateway histogram, with file and line', () => {
    const problems = broken((text) => text.replace('http_response_status_code=~"5.."}[5m]))', 'status=~"5.."}[5m]))'));
    expect(problems).toEqual([expect.stringMatching(/^<dir>\/slos\.openslo\.yaml:\d+:\d+: spec\.indicatorRef: only ratio metrics over http_server_request_duration_seconds_count for service "airtable-domain" are supported/)]);
  });

  it('rejects an SLO for a service the catalog does not have', () => {
    expect(broken((text) => text.replace('service: user\n', 'service: users\n'))).toEqual([expect.stringContaining('spec.service: no service "users"')]);
  });

  it('rejects a dangling indicatorRef and a non-Occurrences budgeting method', () => {
    expect(broken((text) => text.replace('indicatorRef: auth-latency', 'indicatorRef: auth-latencyy'))).toEqual([expect.stringContaining('spec.indicatorRef: no SLI named "auth-latencyy"')]);
    expect(broken((text) => text.replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices'))).toEqual([expect.stringContaining('spec.budgetingMethod: only budgetingMethod Occurrences')]);
  });

  it('applies the same validation: a 100 % target is refused', () => {
    expect(broken((text) => text.replace('target: 0.999', 'target: 1'))[0]).toContain('spec.objectives[0].target');
  });
});
