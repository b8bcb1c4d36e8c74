import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePorts } from './ports.js';

export interface TestCatalog {
  readonly dir: string;
  readonly file: string;
  readonly gatewayPort: number;
  readonly adminPort: number;
  readonly servicePorts: Readonly<Record<string, number>>;
}

type Mutable = Record<string, unknown> & { services: (Record<string, unknown> & { id: string })[] };

/**
 * A copy of slo/catalog.yaml on free ports in a fresh directory (which also serves as the state
 * directory), optionally edited: tests get the real catalog, not a hand-written lookalike.
 */
export async function testCatalog(edit: (catalog: Mutable) => void = () => undefined): Promise<TestCatalog> {
  const catalog = parse(readFileSync('slo/catalog.yaml', 'utf8')) as Mutable;
  const ports = await freePorts(catalog.services.length + 2);
  const [gatewayPort = 0, adminPort = 0, ...rest] = ports;
  (catalog.gateway as Record<string, unknown>).listen = `127.0.0.1:${gatewayPort}`;
  (catalog.simulator as Record<string, unknown>).admin = `127.0.0.1:${adminPort}`;
  const servicePorts: Record<string, number> = {};
  catalog.services.forEach((service, index) => {
    const port = rest[index] ?? 0;
    service.upstream = `http://127.0.0.1:${port}`;
    servicePorts[service.id] = port;
  });
  edit(catalog);
  const dir = mkdtempSync(join(tmpdir(), 'sre-test-'));
  const file = join(dir, 'catalog.yaml');
  writeFileSync(file, stringify(catalog));
  return { dir, file, gatewayPort, adminPort, servicePorts };
}

export function serviceOf(catalog: Mutable, id: string): Record<string, unknown> {
  const found = catalog.services.find((service) => service.id === id);
  if (!found) throw new Error(`no service ${id} in the catalog`);
  return found;
}
