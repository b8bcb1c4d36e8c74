import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';

/**
 * Golden files: the committed artifacts are the expected output of every generator for the
 * shipped catalog. A generator change shows up here as a reviewable diff (update with
 * `npx sre generate`); `sre generate --check` enforces the same in CI.
 */
const artifacts = generateArtifacts(loadCatalog('slo/catalog.yaml'));
const byGenerator: Record<string, RegExp> = {
  'SLI recording rules': /^alerts\/recording\/.+\.sli\.rules\.yml$/,
  'budget recording rules': /^alerts\/recording\/.+\.budget\.rules\.yml$/,
  'cost recording rules': /^alerts\/recording\/cost\.rules\.yml$/,
  'burn-rate alerts': /^alerts\/alerting\/(?!gateway).+\.rules\.yml$/,
  'symptom alerts': /^alerts\/alerting\/gateway\.rules\.yml$/,
  'promtool tests': /^alerts\/tests\/.+\.test\.yml$/,
  runbooks: /^alerts\/runbooks\/.+\.md$/,
  alertmanager: /^alerts\/alertmanager\.yml$/,
  dashboards: /^dashboards\/[^/]+\.json$/,
  'grafana provisioning': /^dashboards\/provisioning\//,
  'k6 thresholds': /^loadtests\/thresholds\.json$/,
  'k6 scripts': /^loadtests\/[a-z-]+\.js$/,
  kubernetes: /^deploy\/kubernetes\/generated\//,
  'catalog JSON schema': /^slo\/catalog\.schema\.json$/,
  'chaos experiment JSON schema': /^chaos\/experiment\.schema\.json$/,
  'prometheus server config': /^collector\/prometheus\.yml$/,
};

describe('golden files', () => {
  it.each(Object.entries(byGenerator))('%s match the committed files', (_name, pattern) => {
    const paths = [...artifacts.keys()].filter((path) => pattern.test(path));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(artifacts.get(path), path).toBe(readFileSync(path, 'utf8'));
  });

  it('covers every generated file', () => {
    const unmatched = [...artifacts.keys()].filter((path) => !Object.values(byGenerator).some((pattern) => pattern.test(path)));
    expect(unmatched).toEqual([]);
  });
});
