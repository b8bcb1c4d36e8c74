import { describe, expect, it } from 'vitest';
import { lineOf, problems, shippedCatalog } from '../../helpers/catalog-problems.js';

const good = shippedCatalog;

describe('traffic validation', () => {
  it('accepts the shipped traffic model', () => {
    expect(problems(good)).toEqual([]);
  });

  it.each([
    [
      'an endpoint the service does not have',
      '{ method: GET, endpoint: /api/workflows, weight: 40',
      '{ method: GET, endpoint: /api/workflowz, weight: 40',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.services\.automation-domain\.mix\[0\]\.endpoint: \/api\/workflowz is not an endpoint of automation-domain; use one of \/api\/workflows, /,
    ],
    [
      'a parameter without values',
      '    workflowId: [wf-sync-crm, wf-notify]\n',
      '',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.services\.automation-domain\.mix\[[12]\]\.endpoint: \{workflowId\} has no values; add traffic\.params\.workflowId: \[\.\.\.\]$/,
    ],
    [
      'no credentials on a route that needs them',
      'endpoint: /api/users/me, weight: 70, credentials: jwt',
      'endpoint: /api/users/me, weight: 70, credentials: none',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.services\.user\.mix\[0\]\.credentials: \/api\/users\/me needs credentials; use api_key or jwt$/,
    ],
    [
      'a placeholder the generator does not fill',
      'password: "${password}"',
      'password: "${secret}"',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.services\.auth\.mix\[0\]\.body: \$\{secret\} is not a placeholder the load generator fills; use \$\{email\} or \$\{password\}$/,
    ],
    [
      'an unknown executor',
      'executor: constant-arrival-rate\n      scale: 0.25',
      'executor: constant-vus\n      scale: 0.25',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.profiles\.smoke(\.executor)?: executor must be constant-arrival-rate, ramping-arrival-rate or capacity$/,
    ],
    [
      'a capacity search that cannot grow',
      'max_scale: 40',
      'max_scale: 1',
      /^slo\/catalog\.yaml:\d+:\d+: traffic\.profiles\.capacity\.max_scale: 1 must be above start_scale \(1\)$/,
    ],
  ])('refuses %s, naming file, line and field', (_name, from, to, message) => {
    expect(good).toContain(from);
    const found = problems(good.replace(from, to));
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) expect(problem).toMatch(message);
  });

  it('refuses a traffic model that leaves a service out, and points at traffic.services', () => {
    const text = good.replace(/ {4}permission:\n {6}peak_rps: 86\n {6}mix:\n.*\n/, '');
    // traffic.services is the line after jwt_users.
    expect(problems(text)).toEqual([`slo/catalog.yaml:${lineOf(text, 'jwt_users: 8') + 2}:5: traffic.services: has no entry for permission; give its peak_rps and mix (peak_rps: 0 sends it nothing)`]);
  });
});
