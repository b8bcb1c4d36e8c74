import type { CatalogSpec } from './schema.js';

export interface CrossCheckIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Rules that span several fields, which the per-field schema cannot express. */
export function crossCheck(catalog: CatalogSpec): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const ids = new Map<string, number>();
  const prefixes = new Map<string, string>();
  const listeners = new Map<string, string>([[catalog.gateway.listen, 'gateway.listen'], [catalog.simulator.admin, 'simulator.admin']]);

  catalog.services.forEach((service, index) => {
    const first = ids.get(service.id);
    if (first !== undefined) {
      issues.push({ path: ['services', index, 'id'], message: `duplicate service id "${service.id}" (first used by services[${first}]); ids must be unique` });
    } else {
      ids.set(service.id, index);
    }
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
  });
  return issues;
}
