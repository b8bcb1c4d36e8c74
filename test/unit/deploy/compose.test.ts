import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/index.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';
import { run } from '../../helpers/tools.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  network_mode?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync('docker-compose.observability.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const catalog = loadCatalog('slo/catalog.yaml');
/** What the native stack (sre up) reads: compose must mount these very files. */
const NATIVE_FILES = ['collector/otel-collector.yaml', 'collector/jaeger.yaml', 'collector/prometheus.yml', 'alerts/alertmanager.yml', 'alerts', 'dashboards', 'dashboards/provisioning', 'slo'];

function flag(service: string, name: string): string | undefined {
  return services[service]?.command?.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

describe('docker-compose.observability.yml', () => {
  it('has the whole stack: collector, Jaeger v2, simulator, gateway, Alertmanager, Prometheus, Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'gateway', 'grafana', 'jaeger', 'otel-collector', 'prometheus', 'simulator']);
  });

  it('pins every image by version and uses host networking everywhere', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
      expect(service.network_mode, name).toBe('host');
    }
  });

  it('mounts only files that exist and that the native stack uses', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (!source.startsWith('./')) continue;
        expect(existsSync(source), `${name}: ${source}`).toBe(true);
        expect(NATIVE_FILES, `${name}: ${source}`).toContain(source.slice(2));
      }
    }
  });

  it('mounts the Prometheus configuration so that its ../alerts rule paths resolve', () => {
    const volumes = services.prometheus?.volumes ?? [];
    expect(volumes).toContain('./collector/prometheus.yml:/etc/prometheus/collector/prometheus.yml:ro');
    expect(volumes).toContain('./alerts:/etc/prometheus/alerts:ro');
    expect(flag('prometheus', 'config.file')).toBe('/etc/prometheus/collector/prometheus.yml');
  });

  it('listens on the catalog ports, as the native stack does', () => {
    expect(flag('prometheus', 'web.listen-address')).toBe(catalog.stack.prometheus);
    expect(flag('alertmanager', 'web.listen-address')).toBe(catalog.stack.alertmanager);
    expect(services.gateway?.healthcheck?.test.join(' ')).toContain(`http://${catalog.gateway.listen}/healthz`);
    expect(services.simulator?.healthcheck?.test.join(' ')).toContain(`http://${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}/healthz`);
    expect(services.gateway?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://${catalog.stack.collector_otlp_http}`);
    // jaeger.yaml's defaults are the catalog's addresses, so compose (which sets none) matches sre up.
    const jaegerConfig = readFileSync('collector/jaeger.yaml', 'utf8');
    for (const address of [catalog.stack.jaeger_ui, catalog.stack.jaeger_query_grpc, catalog.stack.jaeger_otlp_grpc]) expect(jaegerConfig).toContain(`:-${address}}`);
    expect(readFileSync('collector/otel-collector.yaml', 'utf8')).toContain(`JAEGER_OTLP_GRPC_ENDPOINT:-${catalog.stack.jaeger_otlp_grpc}}`);
    expect(services.jaeger?.healthcheck?.test.join(' ')).toContain(`http://${catalog.stack.jaeger_ui}/`);
    expect(services.grafana?.environment?.JAEGER_URL).toBe(`http://${catalog.stack.jaeger_ui}`);
  });

  it('runs the same versions as the native tools', () => {
    const version = (tool: string): string => /version (\d+\.\d+\.\d+)/.exec(run(requireTool(tool), ['--version']).output)?.[1] ?? '?';
    expect(services.prometheus?.image).toBe(`prom/prometheus:v${version('prometheus')}`);
    expect(services.alertmanager?.image).toBe(`prom/alertmanager:v${version('prometheus-alertmanager')}`);
    const manifest = parse(readFileSync('collector/builder-config.yaml', 'utf8')) as { dist: { version: string } };
    expect(services['otel-collector']?.image).toBe(`otel/opentelemetry-collector-contrib:${manifest.dist.version}`);
    const jaegerVersion = /"gitVersion":"v(\d+\.\d+\.\d+)"/.exec(run(requireTool('jaeger'), ['version']).output)?.[1] ?? '?';
    expect(services.jaeger?.image).toBe(`jaegertracing/jaeger:${jaegerVersion}`);
  });

  it('comes up in order: every depends_on names a service with a healthcheck when it waits for health', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} -> ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[dependency]?.healthcheck, `${name} -> ${dependency}`).toBeDefined();
      }
    }
  });
});
