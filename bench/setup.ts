import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { GATEWAY_NODE_FLAGS } from '../src/gateway/node-flags.js';
import { freePorts } from '../src/net/free-ports.js';
import type { CpuLayout } from './cpu-pinning.js';
import { startNode, type BenchProcess } from './processes.js';

/** The instant endpoint every system proxies: airtable-domain with no simulated latency. */
export const PATH = '/api/airtable/ping';
const UPSTREAM_PATH = '/api/v1/airtable/ping';
// Between turns each proxy idles for seconds, and V8 answers idleness by shrinking the heap, which
// steady load never sees: docs/performance/methodology.md, "the memory reducer".
const STEADY_STATE_FLAGS = ['--no-memory-reducer'];
const CLI = fileURLToPath(new URL('../../bin/sre.js', import.meta.url));
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export type ProxyId = 'bare' | 'fastify' | 'gateway-0' | 'gateway-10' | 'gateway-100';

export interface System {
  readonly id: string;
  readonly label: string;
  readonly port: number;
  /** The path to load, when not the proxies' PATH. */
  readonly path?: string;
  /** The process whose CPU time the system's requests are charged. */
  readonly pid?: number | undefined;
}

/** Everything the benchmark runs, named: the proxies compared, and what the fixed-rate phase adds. */
export interface Rig {
  readonly proxies: Readonly<Record<ProxyId, System>>;
  /** The same load straight to the simulator, no proxy in front: the floor of p99 on this host. */
  readonly simulatorAlone: System;
  readonly headers: Readonly<Record<string, string>>;
  /** The bare proxy again, in a second process: its gap to the first is the host's alone. */
  startTwin(): Promise<System>;
  stop(): Promise<void>;
}

const LABELS: Readonly<Record<ProxyId, string>> = {
  bare: 'bare node:http proxy',
  fastify: 'fastify + @fastify/http-proxy',
  'gateway-0': 'gateway, sampling 0 %',
  'gateway-10': 'gateway, sampling 10 %',
  'gateway-100': 'gateway, sampling 100 %',
};
const SAMPLING: Readonly<Record<'gateway-0' | 'gateway-10' | 'gateway-100', string>> = { 'gateway-0': '0', 'gateway-10': '0.1', 'gateway-100': '1' };

export const PROXY_IDS = Object.keys(LABELS) as ProxyId[];

interface BenchCatalog {
  gateway: { listen: string; rate_limits: { default: { requests: number } } };
  simulator: { admin: string };
  services: { id: string; upstream: string; simulation: { latency: unknown } }[];
}

/**
 * Starts the simulator, an OTLP sink and every proxy in `dir` (the run's state: catalog and API
 * key), each proxy on `pinning.proxy` when pinned. Nothing outlives the benchmark (processes.ts).
 */
export async function startRig(dir: string, pinning: CpuLayout | undefined): Promise<Rig> {
  const apiKey = `sre_${randomBytes(24).toString('base64url')}`;
  mkdirSync(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'secrets/api-keys.json'), JSON.stringify([{ id: 'bench', tenant: 'bench', key: apiKey }]), { mode: 0o600 });

  const catalog = parse(readFileSync('slo/catalog.yaml', 'utf8')) as BenchCatalog;
  // The simulator's admin and services, five proxies, the sink and the twin.
  const pool = await freePorts(catalog.services.length + 8);
  const nextPort = (): number => {
    const port = pool.pop();
    if (port === undefined) throw new Error('port pool exhausted');
    return port;
  };
  const adminPort = nextPort();
  catalog.simulator.admin = `127.0.0.1:${adminPort}`;
  catalog.gateway.rate_limits.default.requests = 1_000_000_000;
  let upstreamPort = 0;
  for (const service of catalog.services) {
    const port = nextPort();
    service.upstream = `http://127.0.0.1:${port}`;
    if (service.id === 'airtable-domain') {
      upstreamPort = port;
      service.simulation.latency = { median: '0ms', p95: '0ms' };
    }
  }
  const ports = Object.fromEntries(PROXY_IDS.map((id) => [id, nextPort()])) as Record<ProxyId, number>;
  catalog.gateway.listen = `127.0.0.1:${ports['gateway-0']}`;
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, stringify(catalog));

  const processes: BenchProcess[] = [];
  const started = async (process: Promise<BenchProcess>): Promise<BenchProcess> => {
    const running = await process;
    processes.push(running);
    return running;
  };
  const stop = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    const env = { SRE_STATE_DIR: dir, GATEWAY_ACCESS_LOG: 'errors', LOG_LEVEL: 'warn' };
    const sinkPort = nextPort();
    await started(startNode('simulator', [CLI, 'simulate', '--catalog', catalogFile], `http://127.0.0.1:${adminPort}/healthz`, env, { cpuList: pinning?.rest }));
    await started(startNode('otlp-sink', [here('./otlp-sink.js'), String(sinkPort)], `http://127.0.0.1:${sinkPort}/`, {}, { cpuList: pinning?.rest }));
    // A proxy program (bare, fastify) on `port` in front of the simulated airtable-domain.
    const startProxy = async (id: string, label: string, program: string, port: number): Promise<System> => {
      const proxy = await started(startNode(id, [...STEADY_STATE_FLAGS, here(program), String(port), String(upstreamPort), '/api/airtable', '/api/v1/airtable'], `http://127.0.0.1:${port}/`, {}, { cpuList: pinning?.proxy }));
      return { id, label, port, pid: proxy.child.pid };
    };
    const startGateway = async (id: keyof typeof SAMPLING): Promise<System> => {
      const port = ports[id];
      const gateway = await started(
        startNode(id, [...GATEWAY_NODE_FLAGS, ...STEADY_STATE_FLAGS, CLI, 'gateway', '--catalog', catalogFile, '--port', String(port)], `http://127.0.0.1:${port}/healthz`, {
          ...env,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: SAMPLING[id],
        }, { cpuList: pinning?.proxy }),
      );
      return { id, label: LABELS[id], port, pid: gateway.child.pid };
    };
    const proxies: Record<ProxyId, System> = {
      bare: await startProxy('bare', LABELS.bare, './bare-proxy.js', ports.bare),
      fastify: await startProxy('fastify', LABELS.fastify, './fastify-proxy.js', ports.fastify),
      'gateway-0': await startGateway('gateway-0'),
      'gateway-10': await startGateway('gateway-10'),
      'gateway-100': await startGateway('gateway-100'),
    };
    const headers = { 'x-api-key': apiKey };
    for (const system of Object.values(proxies)) {
      const response = await fetch(`http://127.0.0.1:${system.port}${PATH}`, { headers });
      if (response.status !== 200) throw new Error(`${system.label} answered ${response.status} for ${PATH}: ${await response.text()}`);
    }
    const twinPort = nextPort();
    return {
      proxies,
      simulatorAlone: { id: 'simulator-alone', label: 'simulator, no proxy', port: upstreamPort, path: UPSTREAM_PATH },
      headers,
      startTwin: () => startProxy('bare-twin', 'bare proxy, second process', './bare-proxy.js', twinPort),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function urlOf(system: System): string {
  return `http://127.0.0.1:${system.port}${system.path ?? PATH}`;
}
