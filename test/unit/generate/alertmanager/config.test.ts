import { describe, expect, it } from 'vitest';
import { alertmanagerConfig } from '../../../../src/generate/alertmanager/config.js';
import { syntheticCatalog } from '../../../helpers/synthetic-catalog.js';

interface Route { receiver: string; matchers?: string[]; continue?: boolean }
interface Inhibit { source_matchers: string[]; target_matchers: string[]; equal?: string[] }

describe('Alertmanager configuration', () => {
  const config = alertmanagerConfig(syntheticCatalog()) as { route: { receiver: string; routes: Route[] }; inhibit_rules: Inhibit[]; receivers: { name: string; webhook_configs?: { url: string }[] }[] };

  it('sends every severity to the control plane first, then pages or tickets', () => {
    expect(config.route.receiver).toBe('blackhole');
    expect(config.route.routes.map((r) => [r.receiver, r.matchers, r.continue ?? false])).toEqual([
      ['control-plane', ['severity=~"critical|warning"'], true],
      ['pager', ['severity="critical"'], false],
      ['ticket', ['severity="warning"'], false],
    ]);
    expect(config.receivers.find((r) => r.name === 'control-plane')?.webhook_configs?.[0]?.url).toBe('http://127.0.0.1:18500/hook');
  });

  it.each([
    ['burn_tier="1"', 'burn_tier=~"2|3|4"'],
    ['burn_tier="2"', 'burn_tier=~"3|4"'],
    ['burn_tier="3"', 'burn_tier=~"4"'],
  ])('inhibits slower tiers while %s fires for the same service and SLO', (source, target) => {
    expect(config.inhibit_rules).toContainEqual({ source_matchers: [source], target_matchers: [target], equal: ['service', 'slo'] });
  });
});
