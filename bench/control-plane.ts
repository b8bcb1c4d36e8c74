import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { GATEWAY_JOB, LABEL, SLI_METRIC } from '../src/catalog/conventions.js';
import { parseCatalog, type Catalog } from '../src/catalog/index.js';
import { SLI_WINDOWS } from '../src/catalog/burn-rate.js';
import { sloStatus } from '../src/control-plane/slo-status.js';
import { startPostgres } from '../src/dev/local-postgres.js';
import { startPrometheus, type RunningPrometheus } from '../src/dev/local-prometheus.js';
import { generateArtifacts } from '../src/generate/artifacts.js';
import { writeArtifacts } from '../src/generate/writer.js';
import { freePorts } from '../src/net/free-ports.js';
import { SECRET_FILES } from '../src/state/secrets.js';
import { median, percentile } from './median-interval.js';
import { startNode, type BenchProcess } from './processes.js';
import { inTemporaryDirectory } from './temporary-directory.js';

/**
 * The control plane's scale, side by side in one run:
 * - durable webhook ingestion (every delivery committed, fsync on, before its 200) on SQLite and on
 *   PostgreSQL: deliveries per second and p99, against the 1 000 a second to beat on SQLite;
 * - GET /api/slos for a catalog of 200 services (401 SLOs) against sloStatus() run in this process,
 *   the same queries to Prometheus directly, which is the least the answer can take: the target
 *   is within 1.5x.
 */
const CLI = fileURLToPath(new URL('../../bin/sre.js', import.meta.url));
const RESULTS = 'bench/control-plane-results.json';
const SENDERS = Number(process.env.BENCH_SENDERS ?? 64);
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const SLO_SERVICES = 200;
const SLO_ROUNDS = Number(process.env.BENCH_SLO_ROUNDS ?? 30);

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Ingestion {
  readonly deliveriesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
}

/** SENDERS concurrent senders, each posting one delivery after another for INGEST_SECONDS. */
async function ingest(url: string, token: string): Promise<Ingestion> {
  const latencies: number[] = [];
  let failed = 0;
  let sequence = 0;
  const end = performance.now() + INGEST_SECONDS * 1000;
  const sender = async (): Promise<void> => {
    while (performance.now() < end) {
      const n = sequence++;
      const body = JSON.stringify(delivery(n));
      const started = performance.now();
      const response = await fetch(`${url}/api/v1/alertmanager/webhook`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body }).catch(() => undefined);
      await response?.arrayBuffer();
      if (response?.status === 200) latencies.push(performance.now() - started);
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const seconds = (performance.now() - started) / 1000;
  return { deliveriesPerSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), failed };
}

/** A page of one of 50 services, each delivery a new alert (a new fingerprint). */
function delivery(n: number): unknown {
  const service = `service-${n % 50}`;
  const labels = { alertname: 'PyAirtableErrorBudgetBurnFast', service, slo: 'availability', severity: 'critical' };
  return {
    version: '4', groupKey: `{}/{severity=~"critical|warning"}:{alertname="PyAirtableErrorBudgetBurnFast", service="${service}", slo="availability"}`, truncatedAlerts: 0, status: 'firing', receiver: 'control-plane',
    groupLabels: labels, commonLabels: labels, commonAnnotations: {}, externalURL: '',
    alerts: [{ status: 'firing', labels, annotations: { summary: 'bench' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: n.toString(16).padStart(16, '0') }],
  };
}

/** The shipped catalog with its services replaced by `count` made-up ones, two SLOs each. */
function bigCatalog(count: number, controlPlanePort: number): { text: string; catalog: Catalog } {
  const spec = parse(readFileSync('slo/catalog.yaml', 'utf8')) as Record<string, unknown> & { services: Record<string, unknown>[]; alerting: Record<string, unknown> };
  const template = spec.services.find((service) => service.id === 'user') ?? {};
  spec.services = Array.from({ length: count }, (_, index) => ({ ...template, id: `service-${index}`, upstream: `http://127.0.0.1:${20_000 + index}`, routes: [{ prefix: `/api/s${index}` }], endpoints: [] }));
  delete spec.traffic;
  spec.alerting.control_plane_webhook_url = `http://127.0.0.1:${controlPlanePort}/api/v1/alertmanager/webhook`;
  const text = stringify(spec, { aliasDuplicateObjects: false });
  return { text, catalog: parseCatalog(text, 'bench-catalog.yaml') };
}

async function main(dir: string): Promise<void> {
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${SENDERS} senders, ${INGEST_SECONDS} s per store; /api/slos for ${SLO_SERVICES} services, ${SLO_ROUNDS} rounds`);
  const processes: BenchProcess[] = [];
  let prometheusRun: RunningPrometheus | undefined;
  const postgres = await startPostgres();
  try {
    // Ingestion, one store after the other on the same machine.
    const ingestion: Record<string, Ingestion> = {};
    for (const storage of ['sqlite', 'postgres'] as const) {
      const state = join(dir, storage);
      mkdirSync(state, { recursive: true });
      const [port = 0] = await freePorts(1);
      const args = [CLI, 'control-plane', '--port', String(port), ...(storage === 'postgres' ? ['--database-url', await postgres.database('bench')] : [])];
      const controlPlane = await startNode(`control-plane-${storage}`, args, `http://127.0.0.1:${port}/readyz`, { SRE_STATE_DIR: state, LOG_LEVEL: 'warn' });
      processes.push(controlPlane);
      const token = readFileSync(join(state, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
      const result = await ingest(`http://127.0.0.1:${port}`, token);
      ingestion[storage] = result;
      log(`ingestion on ${storage.padEnd(8)}: ${result.deliveriesPerSecond.toFixed(0).padStart(6)} deliveries/s durable, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms${result.failed ? `, ${result.failed} failed` : ''}`);
      await controlPlane.stop();
    }

    // /api/slos for 200 services against Prometheus alone.
    const [controlPlanePort = 0, exporterPort = 0] = await freePorts(2);
    const { text, catalog } = bigCatalog(SLO_SERVICES, controlPlanePort);
    const sloDir = join(dir, 'slos');
    mkdirSync(sloDir, { recursive: true });
    writeFileSync(join(sloDir, 'catalog.yaml'), text);
    writeArtifacts(generateArtifacts(catalog), sloDir);
    const exporter = fakeGateway(catalog, exporterPort);
    const rules = [...new Set(catalog.slos.map((slo) => slo.service))].flatMap((service) => [join(sloDir, 'alerts/recording', `${service}.sli.rules.yml`), join(sloDir, 'alerts/recording', `${service}.budget.rules.yml`)]);
    prometheusRun = await startPrometheus(join(sloDir, 'prometheus'), { [GATEWAY_JOB]: `127.0.0.1:${exporterPort}` }, rules);
    const controlPlane = await startNode('control-plane-slos', [CLI, 'control-plane', '--catalog', join(sloDir, 'catalog.yaml'), '--prometheus', prometheusRun.url], `http://127.0.0.1:${controlPlanePort}/readyz`, { SRE_STATE_DIR: sloDir, LOG_LEVEL: 'warn' });
    processes.push(controlPlane);
    const prometheus = prometheusRun.client;
    const key = (JSON.parse(readFileSync(join(sloDir, SECRET_FILES.apiKeys), 'utf8')) as { key: string }[])[0]?.key ?? '';
    // Wait for every SLO's 5m SLI to exist.
    for (let tries = 0; tries < 120 && (await prometheus.query('count(slo:sli_error:ratio_rate5m)'))[0]?.value[1] !== String(catalog.slos.length); tries++) await new Promise((resolve) => setTimeout(resolve, 1000));
    const direct: number[] = [];
    const api: number[] = [];
    for (let round = 0; round < SLO_ROUNDS; round++) {
      // Alternating who goes first, as the gateway benchmark does.
      const runs = [async () => { const started = performance.now(); await sloStatus(catalog, prometheus); direct.push(performance.now() - started); }, async () => { const started = performance.now(); const response = await fetch(`http://127.0.0.1:${controlPlanePort}/api/slos`, { headers: { 'x-api-key': key } }); const body = (await response.json()) as { slos: unknown[] }; if (body.slos.length !== catalog.slos.length) throw new Error(`/api/slos answered ${body.slos.length} SLOs`); api.push(performance.now() - started); }];
      for (const run of round % 2 === 0 ? runs : runs.reverse()) await run();
    }
    const ratio = median(api) / median(direct);
    log(`/api/slos, ${catalog.slos.length} SLOs, ${SLI_WINDOWS.length + 3} queries: control plane median ${median(api).toFixed(1)} ms (p90 ${percentile(api, 0.9).toFixed(1)}), the same queries to Prometheus alone ${median(direct).toFixed(1)} ms (p90 ${percentile(direct, 0.9).toFixed(1)}): ${ratio.toFixed(2)}x`);
    exporter.close();
    const targets = [
      { target: 'SQLite: >= 1000 durable deliveries/s', value: Math.round(ingestion.sqlite?.deliveriesPerSecond ?? 0), met: (ingestion.sqlite?.deliveriesPerSecond ?? 0) >= 1000 },
      { target: '/api/slos within 1.5x of Prometheus alone (200 services)', value: Number(ratio.toFixed(2)), met: ratio <= 1.5 },
    ];
    log('\ntargets');
    for (const t of targets) log(`${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.value}`);
    writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, senders: SENDERS, ingestion, slos: { services: SLO_SERVICES, slos: catalog.slos.length, rounds: SLO_ROUNDS, control_plane_ms: { median: median(api), p90: percentile(api, 0.9) }, prometheus_ms: { median: median(direct), p90: percentile(direct, 0.9) }, ratio }, targets }, null, 2)}\n`);
    log(`written: ${RESULTS}`);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await prometheusRun?.stop();
    await postgres.stop();
  }
}

/** Serves gateway-like request-duration histograms for every service of the catalog, growing each scrape. */
function fakeGateway(catalog: Catalog, port: number): { close(): void } {
  let scrapes = 0;
  const server = createServer((_req, res) => {
    scrapes++;
    const lines: string[] = [`# TYPE ${SLI_METRIC} histogram`];
    for (const service of catalog.services) {
      const labels = `${LABEL.service}="${service.id}",${LABEL.route}="/r",${LABEL.method}="GET"`;
      const good = scrapes * 100;
      const bad = scrapes * (service.id.endsWith('7') ? 2 : 0);
      for (const [status, count] of [['200', good], ['500', bad]] as const) {
        for (const le of catalog.histogramBuckets) lines.push(`${SLI_METRIC}_bucket{${labels},${LABEL.status}="${status}",le="${le}"} ${le >= 0.1 ? count : Math.floor(count / 2)}`);
        lines.push(`${SLI_METRIC}_bucket{${labels},${LABEL.status}="${status}",le="+Inf"} ${count}`, `${SLI_METRIC}_sum{${labels},${LABEL.status}="${status}"} ${count * 0.02}`, `${SLI_METRIC}_count{${labels},${LABEL.status}="${status}"} ${count}`);
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  }).listen(port, '127.0.0.1');
  return { close: () => server.close() };
}

await inTemporaryDirectory(main);
