import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadCatalog } from '../src/catalog/index.js';
import { GATEWAY_NODE_FLAGS } from '../src/gateway/node-flags.js';
import { loadTest } from '../src/loadtest/load-test.js';
import type { LoadTestReport } from '../src/loadtest/reports/report.js';
import { freePorts } from '../src/net/free-ports.js';
import { SECRET_FILES } from '../src/state/secrets.js';
import { startNode, type BenchProcess } from './processes.js';
import { inTemporaryDirectory } from './temporary-directory.js';

/**
 * The knee, side by side: the catalog's capacity profile (the highest rate at which every SLO
 * holds) against the gateway in front of the simulator, and against a bare node:http router in
 * front of the same simulator, in one run. The ratio says what the gateway's features cost at the
 * knee. Writes bench/knee-results.json and each system's reports under bench/knee/.
 */
const CLI = fileURLToPath(new URL('../../bin/sre.js', import.meta.url));
const ROUTER = fileURLToPath(new URL('./bare-router.js', import.meta.url));
const RESULTS = 'bench/knee-results.json';

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(dir: string): Promise<void> {
  const spec = parse(readFileSync('slo/catalog.yaml', 'utf8')) as { gateway: { listen: string }; simulator: { admin: string }; services: { upstream: string }[] };
  const [gatewayPort = 0, routerPort = 0, adminPort = 0, ...servicePorts] = await freePorts(3 + spec.services.length);
  spec.gateway.listen = `127.0.0.1:${gatewayPort}`;
  spec.simulator.admin = `127.0.0.1:${adminPort}`;
  spec.services.forEach((service, index) => { service.upstream = `http://127.0.0.1:${servicePorts[index] ?? 0}`; });
  const catalogFile = join(dir, 'catalog.yaml');
  writeFileSync(catalogFile, stringify(spec));
  const catalog = loadCatalog(catalogFile);
  const env = { SRE_STATE_DIR: dir, GATEWAY_ACCESS_LOG: 'errors', LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none' };
  const processes: BenchProcess[] = [];
  try {
    processes.push(await startNode('simulator', [CLI, 'simulate', '--catalog', catalogFile], `http://127.0.0.1:${adminPort}/healthz`, env));
    processes.push(await startNode('gateway', [...GATEWAY_NODE_FLAGS, CLI, 'gateway', '--catalog', catalogFile], `http://127.0.0.1:${gatewayPort}/healthz`, env));
    processes.push(await startNode('bare-router', [ROUTER, catalogFile, String(routerPort)], `http://127.0.0.1:${routerPort}/`, {}));
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; the capacity profile of slo/catalog.yaml against each system in turn`);
    const results: Record<string, LoadTestReport> = {};
    for (const [system, port] of [['gateway', gatewayPort], ['bare-router', routerPort]] as const) {
      log(`\n${system}`);
      const { report } = await loadTest({
        catalog,
        profile: 'capacity',
        target: new URL(`http://127.0.0.1:${port}`),
        gate: false,
        identities: { apiKeyFile: join(dir, SECRET_FILES.apiKeys), passwordFile: undefined },
        out: join('bench/knee', system),
        progress: process.stderr.isTTY,
        log,
      });
      results[system] = report;
      const capacity = report.capacity;
      log(`${system}: knee ${capacity?.knee_rps === null || capacity === null ? 'below the first step' : `${capacity.at_least ? '>= ' : ''}${capacity.knee_rps.toFixed(0)} req/s`}; generator lag p99 at the knee step ${report.engine.send_lag_p99_ms ?? '-'} ms`);
    }
    const gatewayKnee = results.gateway?.capacity?.knee_rps ?? null;
    const bareKnee = results['bare-router']?.capacity?.knee_rps ?? null;
    const target = results.gateway?.capacity?.target_rps ?? 0;
    log(`\nknee: gateway ${gatewayKnee?.toFixed(0) ?? '-'} req/s, bare router ${bareKnee?.toFixed(0) ?? '-'} req/s; gateway / bare ${gatewayKnee !== null && bareKnee ? (gatewayKnee / bareKnee).toFixed(2) : '-'}x; target ${target.toFixed(0)} req/s (10x peak): headroom ${results.gateway?.capacity?.headroom?.toFixed(2) ?? '-'}x`);
    mkdirSync('bench', { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, knee_rps: { gateway: gatewayKnee, bare_router: bareKnee }, ratio: gatewayKnee !== null && bareKnee ? gatewayKnee / bareKnee : null, target_rps: target, steps: Object.fromEntries(Object.entries(results).map(([system, report]) => [system, report.capacity?.steps ?? []])) }, null, 2)}\n`);
    log(`written: ${RESULTS}`);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
  }
}

await inTemporaryDirectory(main);
