import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { toxiproxyName } from '../catalog/conventions.js';
import type { Catalog, Service } from '../catalog/index.js';
import { createProxy } from './local-toxiproxy.js';

/** Where the proxy of a service listens: its upstream port plus the catalog's offset. */
export function proxyListen(catalog: Catalog, service: Service): string {
  return `${service.upstreamHost}:${service.upstreamPort + catalog.stack.toxiproxy_port_offset}`;
}

/** One proxy per service, from its proxy address to the simulated service. */
export async function createServiceProxies(catalog: Catalog): Promise<void> {
  for (const service of catalog.services) await createProxy(`http://${catalog.stack.toxiproxy}`, toxiproxyName(service.id), proxyListen(catalog, service), `${service.upstreamHost}:${service.upstreamPort}`);
}

/**
 * The catalog the gateway runs with when Toxiproxy is in the path: the same file, with each
 * service's upstream pointed at its proxy. Written into the state directory; returns its path.
 */
export function writeGatewayCatalog(catalogFile: string, catalog: Catalog, state: string): string {
  const document = parseDocument(readFileSync(catalogFile, 'utf8'));
  catalog.services.forEach((service, index) => {
    const upstream = new URL(service.upstream);
    upstream.host = proxyListen(catalog, service);
    document.setIn(['services', index, 'upstream'], upstream.toString().replace(/\/$/, ''));
  });
  document.commentBefore = ` Written by sre up from ${catalogFile} (stack.toxiproxy_in_path): every upstream goes through its Toxiproxy proxy. Do not edit.`;
  const file = join(state, 'gateway-catalog.yaml');
  writeFileSync(file, document.toString());
  return file;
}
