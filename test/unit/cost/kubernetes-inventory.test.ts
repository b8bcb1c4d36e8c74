import { describe, expect, it } from 'vitest';
import { charged, podBelongsTo } from '../../../src/cost/kubernetes-inventory.js';
import type { Workload } from '../../../src/kubernetes/client.js';

const workload = (kind: Workload['kind'], name: string, replicas: number, cpu: number | null, memoryBytes: number | null): Workload => ({
  kind,
  namespace: 'shop',
  name,
  labels: {},
  replicas,
  containers: [{ name: 'main', cpuCores: cpu, memoryBytes }, { name: 'sidecar', cpuCores: 0.05, memoryBytes: null }],
});

describe('podBelongsTo', () => {
  it.each([
    ['shop/orders-5d8f7c9b4-abcde', 'Deployment', 'orders', true],
    ['shop/orders-api-5d8f7c9b4-abcde', 'Deployment', 'orders', false], // another Deployment named orders-api
    ['shop/orders-0', 'StatefulSet', 'orders', true],
    ['shop/orders-12', 'StatefulSet', 'orders', true],
    ['shop/orders-0', 'Deployment', 'orders', false],
    ['other/orders-5d8f7c9b4-abcde', 'Deployment', 'orders', false],
  ] as const)('%s belongs to %s %s: %s', (pod, kind, name, expected) => {
    expect(podBelongsTo(pod, workload(kind, name, 1, 1, 1))).toBe(expected);
  });
});

describe('charged', () => {
  const GIB = 1024 ** 3;
  it.each([
    { what: 'requests without usage', usage: undefined, expected: { cpuCores: 2 * 1.05, memoryGib: 2 } },
    { what: 'usage under the requests', usage: new Map([['shop/orders-abc12-xyz99', { cpuCores: 0.5, memoryGib: 1 }]]), expected: { cpuCores: 2.1, memoryGib: 2 } },
    { what: 'usage over the requests, summed over pods', usage: new Map([['shop/orders-abc12-xyz99', { cpuCores: 2, memoryGib: 1.5 }], ['shop/orders-abc12-qqqqq', { cpuCores: 1, memoryGib: 1.5 }], ['shop/billing-abc12-xyz99', { cpuCores: 9, memoryGib: 9 }]]), expected: { cpuCores: 3, memoryGib: 3 } },
  ])('charges max(request, usage): $what', ({ usage, expected }) => {
    const resources = charged(workload('Deployment', 'orders', 2, 1, GIB), usage);
    expect(resources.cpuCores).toBeCloseTo(expected.cpuCores, 9);
    expect(resources.memoryGib).toBeCloseTo(expected.memoryGib, 9);
  });

  it('charges nothing for containers without requests, and nothing for zero replicas', () => {
    expect(charged(workload('StatefulSet', 'cache', 0, 1, GIB), undefined)).toEqual({ cpuCores: 0, memoryGib: 0 });
    expect(charged({ ...workload('Deployment', 'x', 3, null, null), containers: [{ name: 'main', cpuCores: null, memoryBytes: null }] }, undefined)).toEqual({ cpuCores: 0, memoryGib: 0 });
  });
});
