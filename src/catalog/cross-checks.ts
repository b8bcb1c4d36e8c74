import { BURN_RATE_TIERS, burnRateFactor } from './burn-rate.js';
import { GATEWAY_COMPONENT, RESPONSE_TIME_BUCKETS } from './conventions.js';
import { formatDuration } from './duration.js';
import { BODY_PLACEHOLDERS, type CatalogSpec } from './schema.js';
import type { CrossCheckIssue } from './yaml-spec.js';


/** Every consolidated name is a baseline service, replaced by one component only. */
function checkConsolidation(catalog: CatalogSpec, issues: CrossCheckIssue[]): void {
  if (!catalog.cost) return;
  const baseline = new Set(catalog.cost.baseline.map((entry) => entry.name));
  const replacedBy = new Map<string, string>();
  const components: { path: readonly (string | number)[]; id: string; names: readonly string[] }[] = [
    { path: ['gateway', 'consolidates'], id: 'gateway', names: catalog.gateway.consolidates },
    ...catalog.services.map((service, index) => ({ path: ['services', index, 'consolidates'], id: service.id, names: service.consolidates })),
  ];
  for (const component of components) {
    component.names.forEach((name, index) => {
      if (!baseline.has(name)) {
        issues.push({ path: [...component.path, index], message: `${name} is not in cost.baseline; use one of ${[...baseline].join(', ')}` });
        return;
      }
      const other = replacedBy.get(name);
      if (other !== undefined) issues.push({ path: [...component.path, index], message: `${name} is already consolidated into ${other}; a baseline service is replaced by one component` });
      else replacedBy.set(name, component.id);
    });
  }
}

/** Rules that span several fields, which the per-field schema cannot express. */
export function crossCheck(catalog: CatalogSpec): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const ids = new Map<string, number>();
  const prefixes = new Map<string, string>();
  const listeners = new Map<string, string>([[catalog.gateway.listen, 'gateway.listen'], [catalog.simulator.admin, 'simulator.admin']]);
  const services = new Set(catalog.services.map((service) => service.id));

  catalog.services.forEach((service, index) => {
    const first = ids.get(service.id);
    if (first !== undefined) {
      issues.push({ path: ['services', index, 'id'], message: `duplicate service id "${service.id}" (first used by services[${first}]); ids must be unique` });
    } else {
      ids.set(service.id, index);
    }
    if (service.id === GATEWAY_COMPONENT) issues.push({ path: ['services', index, 'id'], message: '"gateway" names the gateway itself (its alerts, its cost); choose another service id' });
    const hostPort = new URL(service.upstream).host;
    const owner = listeners.get(hostPort);
    if (owner !== undefined) {
      issues.push({ path: ['services', index, 'upstream'], message: `${hostPort} is already used by ${owner}; every listener needs its own port` });
    } else {
      listeners.set(hostPort, `services[${index}].upstream`);
    }
    service.routes.forEach((route, routeIndex) => {
      const taken = prefixes.get(route.prefix);
      if (taken !== undefined) {
        issues.push({ path: ['services', index, 'routes', routeIndex, 'prefix'], message: `prefix ${route.prefix} is already routed to ${taken}; a prefix routes to one service` });
      } else {
        prefixes.set(route.prefix, service.id);
      }
    });
    service.endpoints.forEach((template, endpointIndex) => {
      if (!service.routes.some((route) => template === route.prefix || template.startsWith(`${route.prefix}/`))) {
        issues.push({
          path: ['services', index, 'endpoints', endpointIndex],
          message: `${template} lies under none of this service's route prefixes (${service.routes.map((r) => r.prefix).join(', ')})`,
        });
      }
    });
    checkSlos(catalog, index, issues);
  });
  catalog.oncall?.slos.forEach((slo, index) => {
    const seconds = slo.threshold / 1000;
    if (!RESPONSE_TIME_BUCKETS.includes(seconds)) {
      issues.push({ path: ['oncall', 'slos', index, 'threshold'], message: `${formatDuration(slo.threshold)} is not a bucket boundary of the control plane's response-time histogram; use one of ${RESPONSE_TIME_BUCKETS.map((s) => formatDuration(s * 1000)).join(', ')}` });
    }
    if (services.has(catalog.oncall?.service ?? '')) issues.push({ path: ['oncall', 'service'], message: `${catalog.oncall?.service ?? ''} is a catalog service already; the on-call SLOs need a name of their own` });
  });
  checkConsolidation(catalog, issues);
  // The traffic model refers to services and endpoints: checked once they are sound, not piled on top.
  if (issues.length === 0) checkTraffic(catalog, issues);
  return issues;
}

const PARAMETER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
const PLACEHOLDER = /\$\{[^}]*\}/g;

/** The traffic model names catalog services, their endpoints and the params those endpoints need. */
function checkTraffic(catalog: CatalogSpec, issues: CrossCheckIssue[]): void {
  const { traffic } = catalog;
  if (!traffic) return;
  const services = new Map(catalog.services.map((service) => [service.id, service]));
  for (const service of catalog.services) {
    if (!(service.id in traffic.services)) issues.push({ path: ['traffic', 'services'], message: `has no entry for ${service.id}; give its peak_rps and mix (peak_rps: 0 sends it nothing)` });
  }
  const login = catalog.services.find((service) => service.kind === 'auth')?.endpoints.find((endpoint) => endpoint.endsWith('/login'));
  for (const [id, entry] of Object.entries(traffic.services)) {
    const service = services.get(id);
    if (!service) {
      issues.push({ path: ['traffic', 'services', id], message: `is not a catalog service; use one of ${[...services.keys()].join(', ')}` });
      continue;
    }
    entry.mix.forEach((request, index) => {
      const path = ['traffic', 'services', id, 'mix', index];
      if (!service.endpoints.includes(request.endpoint)) {
        issues.push({ path: [...path, 'endpoint'], message: `${request.endpoint} is not an endpoint of ${id}; use one of ${service.endpoints.join(', ') || '(none: add it to the service\'s endpoints)'}` });
      }
      for (const [, name] of request.endpoint.matchAll(PARAMETER)) {
        if (name !== undefined && !(name in traffic.params)) issues.push({ path: [...path, 'endpoint'], message: `{${name}} has no values; add traffic.params.${name}: [...]` });
      }
      const route = service.routes.find((r) => request.endpoint === r.prefix || request.endpoint.startsWith(`${r.prefix}/`));
      if (request.credentials === 'none' && route?.auth === 'required') {
        issues.push({ path: [...path, 'credentials'], message: `${request.endpoint} needs credentials; use api_key or jwt` });
      }
      const placeholders = [...JSON.stringify(request.body ?? {}).matchAll(PLACEHOLDER)].map((m) => m[0]);
      for (const placeholder of placeholders) {
        if (!(BODY_PLACEHOLDERS as readonly string[]).includes(placeholder)) issues.push({ path: [...path, 'body'], message: `${placeholder} is not a placeholder the load generator fills; use ${BODY_PLACEHOLDERS.join(' or ')}` });
      }
      if ((request.credentials === 'jwt' || placeholders.length > 0) && login === undefined) {
        issues.push({ path: [...path, 'credentials'], message: 'jwt users log in through the auth service\'s /login endpoint, and no service of kind auth has one' });
      }
    });
  }
  for (const [name, profile] of Object.entries(traffic.profiles)) {
    if (profile.executor === 'capacity' && profile.max_scale <= profile.start_scale) {
      issues.push({ path: ['traffic', 'profiles', name, 'max_scale'], message: `${profile.max_scale} must be above start_scale (${profile.start_scale})` });
    }
  }
}

function checkSlos(catalog: CatalogSpec, index: number, issues: CrossCheckIssue[]): void {
  const service = catalog.services[index];
  if (!service) return;
  const seen = new Set<string>();
  service.slos.forEach((slo, sloIndex) => {
    const path = ['services', index, 'slos', sloIndex];
    if (seen.has(slo.id)) issues.push({ path: [...path, 'id'], message: `duplicate SLO id "${slo.id}" for ${service.id}; each SLO id appears once per service` });
    seen.add(slo.id);
    if (slo.id === 'latency') {
      const seconds = slo.threshold / 1000;
      if (!catalog.gateway.histogram_buckets.some((boundary) => Math.abs(boundary - seconds) < 1e-12)) {
        issues.push({
          path: [...path, 'threshold'],
          message: `${formatDuration(slo.threshold)} is not a bucket boundary of the gateway histogram; use one of ${catalog.gateway.histogram_buckets.join(', ')} (seconds) or add ${seconds} to gateway.histogram_buckets`,
        });
      }
    }
    const budget = 1 - slo.objective / 100;
    const period = slo.period ?? catalog.slo_defaults.period;
    for (const tier of BURN_RATE_TIERS) {
      const factor = burnRateFactor(tier, period);
      if (factor * budget >= 1) {
        const minimum = (100 * (1 - 1 / factor)).toFixed(3);
        issues.push({
          path: [...path, 'objective'],
          message: `objective ${slo.objective} % can never trip the ${tier.name} burn-rate tier (${tier.longWindow}/${tier.shortWindow}, ${factor}x needs an error ratio of ${(factor * budget).toFixed(4)} > 1); use an objective above ${minimum} % or a different period`,
        });
        break;
      }
    }
  });
}
