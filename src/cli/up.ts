import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../catalog/index.js';
import { controlPlaneAddress, parseHostPort } from '../catalog/index.js';
import { RECEIVER_SECRET_FILES } from '../generate/alertmanager/config.js';
import { isFree } from '../net/free-ports.js';
import { SECRET_FILES, loadOrCreateWebhookSecrets } from '../state/secrets.js';
import { stateDir } from '../state/state-dir.js';
import { findTool } from '../tools/find-tool.js';
import { catalogFrom, catalogPath } from './catalog-option.js';
import { CliExit } from './exit.js';
import { onTerminationSignal } from './signals.js';
import { answers, collectStatus, formatStatus } from './up-status.js';
import { toxiproxyName } from '../catalog/conventions.js';
import { createServiceProxies, proxyListen, writeGatewayCatalog } from '../dev/toxiproxy-path.js';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';
import { startBackgroundTraffic, type BackgroundTraffic } from '../loadtest/background.js';

const CLI = fileURLToPath(new URL('../../bin/sre.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
export const DEFAULT_STATUS_INTERVAL_SECONDS = 10;

export const COMPONENTS = ['jaeger', 'collector', 'simulator', 'toxiproxy', 'gateway', 'control-plane', 'alertmanager', 'prometheus'] as const;
type ComponentName = (typeof COMPONENTS)[number];

interface Component {
  readonly name: ComponentName;
  readonly listen: string;
  /** Resolved only for the components that start, so --only needs only their binaries. */
  readonly command: () => string;
  readonly args: readonly string[];
  readonly healthPath: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Further addresses it listens on, checked before anything starts. */
  readonly alsoListens?: Readonly<Record<string, string>>;
  /** Set-up once it answers, before the next component starts. */
  readonly whenHealthy?: () => Promise<void>;
}

export interface UpOptions {
  readonly catalog?: string;
  /** Comma-separated subset of the components to start. */
  readonly only?: string;
  /** Seconds between status lines; 0 turns them off. */
  readonly statusInterval?: number;
  /** Keep this traffic profile running through the gateway (true: the default profile). */
  readonly traffic?: string | boolean;
  /** The share of the profile's rates the background traffic offers. */
  readonly trafficScale?: number;
}

export const DEFAULT_TRAFFIC_PROFILE = 'load';
export const DEFAULT_TRAFFIC_SCALE = 0.05;

/** Starts the local stack as child processes, each logging into the state directory. */
export async function upCommand(options: UpOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const state = stateDir();
  // Alertmanager authenticates to the control plane with the local state's token file.
  await loadOrCreateWebhookSecrets(state);
  const components = selected(stackComponents(catalog, catalogPath(options.catalog), state, options.only), options.only, catalog);
  await assertPortsFree(catalog, components);
  const logs = join(state, 'logs');
  mkdirSync(logs, { recursive: true });
  const children: ChildProcess[] = [];
  let traffic: BackgroundTraffic | undefined;
  const stopAll = async (): Promise<void> => {
    await traffic?.stop();
    // Reverse start order: Prometheus stops scraping before the gateway drains.
    for (const child of [...children].reverse()) await stopChild(child);
  };
  let statusTimer: NodeJS.Timeout | undefined;
  onTerminationSignal(async () => {
    clearInterval(statusTimer);
    process.stdout.write(`${process.stdout.isTTY ? '\n' : ''}stopping...\n`);
    await stopAll();
    return 0;
  });
  for (const component of components) {
    const logFile = join(logs, `${component.name}.log`);
    const child = spawn(component.command(), [...component.args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...component.env } });
    child.stderr.pipe(createWriteStream(logFile, { flags: 'a' }));
    children.push(child);
    child.once('exit', (code, signal) => {
      if (signal === null && code !== 0) process.stderr.write(`${component.name} exited with code ${code ?? '?'}; see ${relative(process.cwd(), logFile)}\n`);
    });
    if (!(await waitHealthy(`http://${component.listen}${component.healthPath}`, child))) {
      await stopAll();
      throw new CliExit(1, `${component.name} did not become healthy within ${READY_TIMEOUT_MS / 1000} s; see ${relative(process.cwd(), logFile)}`);
    }
    try {
      await component.whenHealthy?.();
    } catch (error) {
      await stopAll();
      throw new CliExit(1, `${component.name}: ${(error as Error).message}`);
    }
    process.stdout.write(`${component.name} http://${component.listen}\n`);
  }
  const throughToxiproxy = components.some((c) => c.name === 'toxiproxy');
  if (components.some((c) => c.name === 'simulator')) {
    for (const service of catalog.services) process.stdout.write(`${service.id} ${service.upstream} (simulated${throughToxiproxy ? `; the gateway reaches it through Toxiproxy proxy ${toxiproxyName(service.id)} on ${proxyListen(catalog, service)}` : ''})\n`);
  }
  process.stdout.write(`api key: the "key" field of ${relative(process.cwd(), join(state, SECRET_FILES.apiKeys))} (send as X-API-Key)\n`);
  if (options.traffic !== undefined && options.traffic !== false) {
    const profile = options.traffic === true ? DEFAULT_TRAFFIC_PROFILE : options.traffic;
    const scale = options.trafficScale ?? DEFAULT_TRAFFIC_SCALE;
    if (!components.some((c) => c.name === 'gateway')) throw new CliExit(2, '--traffic goes through the gateway; start it too (--only ...,gateway)');
    try {
      traffic = await startBackgroundTraffic(catalog, profile, scale, new URL(`http://${catalog.gateway.listen}`), join(state, SECRET_FILES.apiKeys));
    } catch (error) {
      await stopAll();
      throw new CliExit(2, `--traffic ${profile}: ${(error as Error).message}`);
    }
    process.stdout.write(`traffic: the ${profile} profile at ${scale}x, ${traffic.rate.toFixed(1)} req/s through the gateway\n`);
  }
  process.stdout.write(`logs: ${relative(process.cwd(), logs)}/; Ctrl-C stops everything\n`);
  const intervalSeconds = options.statusInterval ?? DEFAULT_STATUS_INTERVAL_SECONDS;
  if (intervalSeconds > 0) statusTimer = streamStatus(components, intervalSeconds);
}

/** A short status line every interval: rewritten in place on a terminal, one line each time otherwise. */
function streamStatus(components: readonly Component[], intervalSeconds: number): NodeJS.Timeout {
  const probes = components.map((c) => ({ name: c.name, healthUrl: `http://${c.listen}${c.healthPath}` }));
  const prometheus = components.find((c) => c.name === 'prometheus');
  let busy = false;
  return setInterval(() => {
    if (busy) return;
    busy = true;
    void collectStatus(probes, prometheus ? `http://${prometheus.listen}` : undefined)
      .then((snapshot) => {
        const line = formatStatus(snapshot);
        process.stdout.write(process.stdout.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
      })
      .finally(() => {
        busy = false;
      });
  }, intervalSeconds * 1000);
}

function stackComponents(catalog: Catalog, catalogPath: string, state: string, only: string | undefined): Component[] {
  const admin = `${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`;
  const { stack } = catalog;
  const withCollector = only === undefined || only.split(',').map((n) => n.trim()).includes('collector');
  mkdirSync(join(state, 'collector'), { recursive: true });
  // The gateway exports its traces to the collector when one runs, and nowhere otherwise.
  const tracing: Record<string, string> = withCollector
    ? { OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER ?? 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://${stack.collector_otlp_http}` }
    : { OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER ?? 'none' };
  const jaegerMetrics = parseHostPort(stack.jaeger_metrics);
  const controlPlane = controlPlaneAddress(catalog);
  return [
    {
      name: 'jaeger',
      listen: stack.jaeger_ui,
      command: () => findTool('jaeger'),
      args: ['--config=collector/jaeger.yaml'],
      healthPath: '/api/services',
      env: {
        JAEGER_QUERY_HTTP_ENDPOINT: stack.jaeger_ui,
        JAEGER_QUERY_GRPC_ENDPOINT: stack.jaeger_query_grpc,
        JAEGER_OTLP_GRPC_ENDPOINT: stack.jaeger_otlp_grpc,
        JAEGER_METRICS_HOST: jaegerMetrics.host,
        JAEGER_METRICS_PORT: String(jaegerMetrics.port),
      },
      alsoListens: { 'jaeger query gRPC': stack.jaeger_query_grpc, 'jaeger OTLP gRPC': stack.jaeger_otlp_grpc, 'jaeger metrics': stack.jaeger_metrics },
    },
    {
      name: 'collector',
      listen: stack.collector_health,
      command: () => findTool('otelcol-pyairtable'),
      args: ['--config=collector/otel-collector.yaml'],
      healthPath: '/',
      env: {
        COLLECTOR_OTLP_HTTP_ENDPOINT: stack.collector_otlp_http,
        COLLECTOR_OTLP_GRPC_ENDPOINT: stack.collector_otlp_grpc,
        COLLECTOR_METRICS_ENDPOINT: stack.collector_metrics,
        COLLECTOR_HEALTH_ENDPOINT: stack.collector_health,
        COLLECTOR_FILE_EXPORT_PATH: join(state, 'collector', 'spans.jsonl'),
        JAEGER_OTLP_GRPC_ENDPOINT: stack.jaeger_otlp_grpc,
      },
      alsoListens: { 'collector OTLP/HTTP': stack.collector_otlp_http, 'collector OTLP/gRPC': stack.collector_otlp_grpc, 'collector metrics': stack.collector_metrics },
    },
    { name: 'simulator', listen: admin, command: () => process.execPath, args: [CLI, 'simulate', '--catalog', catalogPath], healthPath: '/healthz' },
    ...(stack.toxiproxy_in_path
      ? [{
          name: 'toxiproxy' as const,
          listen: stack.toxiproxy,
          command: () => findTool('toxiproxy-server'),
          args: ['-host', parseHostPort(stack.toxiproxy).host, '-port', String(parseHostPort(stack.toxiproxy).port)],
          healthPath: '/version',
          alsoListens: Object.fromEntries(catalog.services.map((service) => [`toxiproxy proxy ${toxiproxyName(service.id)}`, proxyListen(catalog, service)])),
          whenHealthy: () => createServiceProxies(catalog),
        }]
      : []),
    { name: 'gateway', listen: catalog.gateway.listen, command: () => process.execPath, args: [...GATEWAY_NODE_FLAGS, CLI, 'gateway', '--catalog', stack.toxiproxy_in_path ? writeGatewayCatalog(catalogPath, catalog, state) : catalogPath], healthPath: '/healthz', env: tracing },
    {
      name: 'control-plane',
      listen: `${controlPlane.host}:${controlPlane.port}`,
      command: () => process.execPath,
      args: [CLI, 'control-plane', '--catalog', catalogPath, '--prometheus', `http://${stack.prometheus}`],
      healthPath: '/healthz',
    },
    {
      name: 'alertmanager',
      listen: catalog.stack.alertmanager,
      command: findAlertmanager,
      args: [`--config.file=${localAlertmanagerConfig(state)}`, `--storage.path=${join(state, 'alertmanager')}`, `--web.listen-address=${catalog.stack.alertmanager}`, '--cluster.listen-address='],
      healthPath: '/-/ready',
    },
    {
      name: 'prometheus',
      listen: catalog.stack.prometheus,
      command: () => findTool('prometheus'),
      args: ['--config.file=collector/prometheus.yml', `--storage.tsdb.path=${join(state, 'prometheus')}`, `--web.listen-address=${catalog.stack.prometheus}`, '--enable-feature=exemplar-storage', '--storage.tsdb.retention.time=3d'],
      healthPath: '/-/ready',
    },
  ];
}

/**
 * The generated Alertmanager configuration as the local stack runs it: the same file, with the
 * control plane's token read from the local state instead of a mounted secret.
 */
function localAlertmanagerConfig(state: string): string {
  const file = join(state, 'alertmanager', 'alertmanager.yml');
  mkdirSync(dirname(file), { recursive: true });
  const generated = readFileSync('alerts/alertmanager.yml', 'utf8');
  writeFileSync(file, generated.replaceAll(RECEIVER_SECRET_FILES.controlPlaneToken, join(state, SECRET_FILES.controlPlaneWebhookToken)));
  return file;
}

/** Debian ships Alertmanager as prometheus-alertmanager; upstream calls it alertmanager. */
export function findAlertmanager(): string {
  try {
    return findTool('alertmanager');
  } catch {
    return findTool('prometheus-alertmanager');
  }
}

function selected(components: readonly Component[], only: string | undefined, catalog: Catalog): Component[] {
  if (only === undefined) return [...components];
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !COMPONENTS.includes(name as ComponentName));
  if (unknown.length > 0) throw new CliExit(2, `--only: unknown component ${unknown.join(', ')}; choose from ${COMPONENTS.join(', ')}`);
  if (names.includes('toxiproxy') && !catalog.stack.toxiproxy_in_path) throw new CliExit(2, `--only toxiproxy: ${catalog.source} does not put Toxiproxy in the path; set stack.toxiproxy_in_path: true`);
  if (names.includes('gateway') && catalog.stack.toxiproxy_in_path && !names.includes('toxiproxy')) throw new CliExit(2, `--only: the gateway reaches the services through Toxiproxy (stack.toxiproxy_in_path in ${catalog.source}); add toxiproxy`);
  return components.filter((component) => names.includes(component.name));
}

async function assertPortsFree(catalog: Catalog, components: readonly Component[]): Promise<void> {
  const listeners: [string, string][] = components.flatMap((c) => [[c.name, c.listen] as [string, string], ...Object.entries(c.alsoListens ?? {})]);
  if (components.some((c) => c.name === 'simulator')) listeners.push(...catalog.services.map((s): [string, string] => [`simulated ${s.id}`, `${s.upstreamHost}:${s.upstreamPort}`]));
  for (const [name, hostPort] of listeners) {
    const { host, port } = parseHostPort(hostPort);
    if (!(await isFree(port, host))) throw new CliExit(2, `port ${port} on ${host} (${name}) is already in use; stop what holds it (for example: ss -ltnp 'sport = :${port}') and start again`);
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await answers(url, 1_000)) return true;
    await sleep(100);
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(25_000).then(() => false)]);
  if (!stopped) child.kill('SIGKILL');
  await exited;
}
