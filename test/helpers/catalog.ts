import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { stackSchema } from '../../src/catalog/schema.js';
import { freePorts } from '../../src/net/free-ports.js';

export interface TestCatalog {
  readonly dir: string;
  readonly file: string;
  readonly gatewayPort: number;
  readonly adminPort: number;
  /** Where the control plane listens: the port of alerting.control_plane_webhook_url. */
  readonly controlPlanePort: number;
  readonly servicePorts: Readonly<Record<string, number>>;
  /** The `stack` addresses, each on its own free port. */
  readonly stack: Readonly<Record<string, string>>;
}

type Mutable = Record<string, unknown> & { services: (Record<string, unknown> & { id: string })[] };

/** The `stack` fields that are addresses (host:port by default; the others are intervals and switches); from the schema, so a new one gets a port too. */
const STACK_DEFAULTS = stackSchema.parse({}) as Record<string, unknown>;
const STACK_ADDRESS_FIELDS = Object.keys(stackSchema.shape).filter((field) => typeof STACK_DEFAULTS[field] === 'string' && /^[\d.]+:\d+$/.test(STACK_DEFAULTS[field]));

/**
 * A copy of slo/catalog.yaml in a fresh directory (which also serves as the state directory), with
 * the gateway, the simulator, every service and every `stack` address on distinct free ports,
 * optionally edited: tests get the real catalog, not a hand-written lookalike.
 */
export async function testCatalog(edit: (catalog: Mutable) => void = () => undefined): Promise<TestCatalog> {
  const catalog = parse(readFileSync('slo/catalog.yaml', 'utf8')) as Mutable;
  // One call, so that no two of these ports can be the same.
  const ports = await freePorts(3 + STACK_ADDRESS_FIELDS.length + catalog.services.length);
  const [gatewayPort = 0, adminPort = 0, controlPlanePort = 0] = ports;
  const stackPorts = ports.slice(3, 3 + STACK_ADDRESS_FIELDS.length);
  const rest = ports.slice(3 + STACK_ADDRESS_FIELDS.length);
  (catalog.gateway as Record<string, unknown>).listen = `127.0.0.1:${gatewayPort}`;
  (catalog.simulator as Record<string, unknown>).admin = `127.0.0.1:${adminPort}`;
  const alerting = catalog.alerting as Record<string, string>;
  alerting.control_plane_webhook_url = `http://127.0.0.1:${controlPlanePort}${new URL(alerting.control_plane_webhook_url ?? '').pathname}`;
  const stack = Object.fromEntries(STACK_ADDRESS_FIELDS.map((field, index) => [field, `127.0.0.1:${stackPorts[index] ?? 0}`]));
  catalog.stack = { ...(catalog.stack as Record<string, unknown>), ...stack };
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
  return { dir, file, gatewayPort, adminPort, controlPlanePort, servicePorts, stack };
}

export function serviceOf(catalog: Mutable, id: string): Record<string, unknown> {
  const found = catalog.services.find((service) => service.id === id);
  if (!found) throw new Error(`no service ${id} in the catalog`);
  return found;
}

