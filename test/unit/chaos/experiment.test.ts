import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../../src/chaos/experiment.js';
import { judge } from '../../../src/chaos/runner.js';
import { provenBelow, wilsonUpper, type SloWindow } from '../../../src/chaos/slis.js';
import { loadCatalog } from '../../../src/catalog/index.js';

const catalog = loadCatalog('slo/catalog.yaml');
const shipped = readFileSync('chaos/airtable-domain-latency.yaml', 'utf8');
const problems = (text: string): string[] => {
  try {
    parseExperiment(text, 'chaos/x.yaml', catalog);
    return [];
  } catch (error) {
    return (error as Error).message.split('\n');
  }
};

describe('chaos experiments', () => {
  it.each(readdirSync('chaos').filter((name) => name.endsWith('.yaml')))('ships %s valid against the catalog', (name) => {
    const experiment = parseExperiment(readFileSync(`chaos/${name}`, 'utf8'), name, catalog);
    expect(experiment.touched).toHaveLength(1);
    expect(experiment.extension.expect_breaks.every((ref) => ref.startsWith(`${experiment.touched[0] ?? ''}/`))).toBe(true);
  });

  it.each([
    ['an unknown service', shipped.replace('service: airtable-domain, fault', 'service: airtabel-domain, fault'), /^chaos\/x\.yaml:15:\d+: method\[0\]\.provider\.service: airtabel-domain is not a service of slo\/catalog\.yaml; use one of airtable-domain, /],
    ['an unknown SLO', shipped.replace('[airtable-domain/latency]', '[airtable-domain/throughput]'), /^chaos\/x\.yaml:\d+:\d+: extensions\[0\]\.expect_breaks\[0\]: must name a catalog SLO as service\/slo/],
    ['a fault the simulator does not take', shipped.replace('latency_ms: 200', 'latency: 200'), /^chaos\/x\.yaml:15:\d+: method\[0\]\.provider\.fault\.latency: unknown key "latency"; allowed keys: latency_ms, error_ratio, error_status, hang, refuse_connections$/],
    ['an unknown provider', shipped.replace('type: simulator-fault', 'type: pod-kill'), /method\[0\]\.provider\.type: provider type must be one of simulator-fault, toxiproxy, kubernetes-pod-kill, kubernetes-scale, chaos-mesh/],
    ['a bad duration', shipped.replace('expect_breaks: [airtable-domain/latency]', 'expect_breaks: [airtable-domain/latency]\n    recovery: soon'), /extensions\[0\]\.recovery: must be a duration such as 30s, 2m or 1h/],
    ['no extension', shipped.replace(/extensions:[\s\S]*$/, 'extensions: []\n'), /extensions: needs exactly one extension named pyairtable-sre/],
    ['broken YAML', 'title: [unclosed\n', /^chaos\/x\.yaml:\d+:\d+: invalid YAML: /],
  ])('refuses %s with file, line, field and what would be valid', (_what, text, pattern) => {
    expect(problems(text)).toEqual([expect.stringMatching(pattern)]);
  });

  const podKill = readFileSync('chaos/kubernetes-gateway-pod-kill.yaml', 'utf8');
  const networkDelay = readFileSync('chaos/kubernetes-airtable-domain-network-delay.yaml', 'utf8');
  it.each([
    ['a namespace outside the allowlist', podKill.replace('namespace: pyairtable, count', 'namespace: kube-system, count'), /method\[0\]\.provider\.namespace: kube-system is not in blast_radius\.namespaces \(pyairtable\)$/],
    ['a namespace that is no namespace name', podKill.replace('namespace: pyairtable, count', 'namespace: Kube_System, count'), /method\[0\]\.provider\.namespace: must be a Kubernetes namespace name$/],
    ['no pod to evict', podKill.replace('count: 1', 'count: 0'), /method\[0\]\.provider\.count: /],
    ['a simulator fault on the gateway, which the simulator does not serve', podKill.replace('{ type: kubernetes-pod-kill, service: gateway, namespace: pyairtable, count: 1 }', '{ type: simulator-fault, service: gateway, fault: { latency_ms: 1 } }'), /method\[0\]\.provider\.service: gateway is not a service of slo\/catalog\.yaml/],
    ['a Chaos Mesh selector the provider owns', networkDelay.replace('spec: { action: delay,', 'spec: { selector: { namespaces: [default] }, action: delay,'), /method\[0\]\.provider\.spec\.selector: is set by the provider from service, namespace and share; remove it$/],
    ['an unknown Chaos Mesh kind', networkDelay.replace('kind: NetworkChaos', 'kind: DNSChaos'), /method\[0\]\.provider\.kind: must be one of PodChaos, NetworkChaos, HTTPChaos, StressChaos$/],
    ['a PodChaos over the pod share cap', networkDelay.replace('kind: NetworkChaos', 'kind: PodChaos\n      share: 0.5').replace(/spec: \{[^\n]*\}/, 'spec: { action: pod-kill }'), /method\[0\]\.provider\.share: 0\.5 of the pods is more than blast_radius\.max_pod_share 0\.34$/],
  ])('refuses a Kubernetes action with %s', (_what, text, pattern) => {
    expect(problems(text)).toEqual([expect.stringMatching(pattern)]);
  });

  it('refuses a method past its blast radius', () => {
    const text = shipped.replace('rollbacks:', '  - type: action\n    name: also auth\n    provider: { type: simulator-fault, service: auth, fault: { latency_ms: 200 } }\nrollbacks:');
    expect(problems(text)).toEqual([expect.stringMatching(/extensions\[0\]\.blast_radius\.max_services: the method touches 2 services \(airtable-domain, auth\), more than max_services 1$/)]);
  });
});

describe('judging a short window', () => {
  it.each([
    // good, requests, objective, proven below?
    [14, 15, 0.95, false], // one slow request of fifteen: chance explains it
    [0, 60, 0.95, true],
    [90, 100, 0.999, true],
    [999, 1000, 0.999, false],
    [180, 200, 0.95, true],
  ])('%i good of %i against %f: proven below is %s', (good, requests, objective, expected) => {
    const window: SloWindow = { slo: 'x/latency', requests, good, sli: good / requests, objective, burnRate: null, upper: wilsonUpper(good, requests) };
    expect(provenBelow(window)).toBe(expected);
  });

  it('holds when the expected SLO burns and the others hold, and says why it does not otherwise', () => {
    const experiment = parseExperiment(shipped, 'x.yaml', catalog);
    const w = (slo: string, good: number, requests: number, objective: number): SloWindow => ({ slo, requests, good, sli: good / requests, objective, burnRate: null, upper: wilsonUpper(good, requests) });
    const phase = (slos: SloWindow[]) => ({ phase: 'injection' as const, started_at: '', ended_at: '', slos });
    const healthy = phase([w('airtable-domain/latency', 100, 100, 0.95), w('user/availability', 200, 200, 0.999)]);
    expect(judge(experiment, phase([w('airtable-domain/latency', 3, 100, 0.95), w('user/availability', 200, 200, 0.999)]), { ...healthy, phase: 'recovery' }, null, false)).toEqual(['held', []]);
    expect(judge(experiment, phase([w('airtable-domain/latency', 3, 100, 0.95), w('user/availability', 150, 200, 0.999)]), { ...healthy, phase: 'recovery' }, null, false)).toEqual(['not held', ['user/availability was expected to hold but fell to 75.00 % of 200 requests (objective 99.90 %)']]);
    expect(judge(experiment, undefined, { ...healthy, phase: 'recovery' }, null, true)).toEqual(['not run', ['interrupted before the first injection ended']]);
  });
});
