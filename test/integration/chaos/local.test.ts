import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ChaosJournal } from '../../../src/chaos/journal.js';
import { provenBelow } from '../../../src/chaos/slis.js';
import { startToxiproxy, type RunningToxiproxy } from '../../../src/dev/local-toxiproxy.js';
import { GATEWAY_JOB, toxiproxyName } from '../../../src/catalog/conventions.js';
import { loadCatalog } from '../../../src/catalog/index.js';
import { startPrometheus, type RunningPrometheus } from '../../../src/dev/local-prometheus.js';
import { generateArtifacts } from '../../../src/generate/artifacts.js';
import { writeArtifacts } from '../../../src/generate/writer.js';
import { KubernetesClient } from '../../../src/kubernetes/client.js';
import { installCrds } from '../../../src/kubernetes/manifests.js';
import { freePorts } from '../../../src/net/free-ports.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { driveChaosMesh, kubectl, useKubernetes } from '../../helpers/kubernetes.js';
import { startSre, type StartedProcess } from '../../helpers/processes.js';
import { runSre } from '../../helpers/sre-cli.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * The shipped experiments, run by `sre chaos run` against the real simulator and gateway, with
 * Toxiproxy between the gateway and three services (workspace, permission, airtable-domain): the gateway's catalog
 * points those upstreams at Toxiproxy, which forwards to the simulator. Timings are shortened;
 * faults, expectations and verdicts are the shipped files'. A real API server holds workspace's
 * Deployment for the experiment that is killed mid-run.
 */
let simulatorCatalog: TestCatalog;
let gatewayCatalog: TestCatalog;
let toxiproxy: RunningToxiproxy;
let simulator: StartedProcess;
let gateway: StartedProcess;
let adminUrl: string;
let prometheus: RunningPrometheus;
const cluster = useKubernetes();
const NS = 'pyairtable';
const THROUGH_TOXIPROXY = ['workspace', 'permission', 'airtable-domain'];

beforeAll(async () => {
  simulatorCatalog = await testCatalog();
  const proxyPorts = await freePorts(THROUGH_TOXIPROXY.length);
  const doc = parse(readFileSync(simulatorCatalog.file, 'utf8')) as { services: { id: string; upstream: string }[] };
  toxiproxy = await startToxiproxy();
  for (const [index, id] of THROUGH_TOXIPROXY.entries()) {
    const service = doc.services.find((s) => s.id === id);
    if (!service) throw new Error(`no ${id}`);
    await toxiproxy.proxy(toxiproxyName(id), `127.0.0.1:${proxyPorts[index] ?? 0}`, `127.0.0.1:${simulatorCatalog.servicePorts[id] ?? 0}`);
    service.upstream = `http://127.0.0.1:${proxyPorts[index] ?? 0}`;
  }
  const file = join(simulatorCatalog.dir, 'gateway-catalog.yaml');
  writeFileSync(file, stringify(doc));
  gatewayCatalog = { ...simulatorCatalog, file };
  adminUrl = `http://127.0.0.1:${simulatorCatalog.adminPort}`;
  simulator = await startSre(['simulate'], simulatorCatalog, `${adminUrl}/healthz`);
  gateway = await startSre(['gateway'], gatewayCatalog, `http://127.0.0.1:${simulatorCatalog.gatewayPort}/healthz`);
  // Prometheus scraping the gateway every second and evaluating the rules generated from the catalog.
  const generated = join(simulatorCatalog.dir, 'generated');
  writeArtifacts(generateArtifacts(loadCatalog(gatewayCatalog.file)), generated);
  const rules = ['recording', 'alerting'].flatMap((kind) => readdirSync(join(generated, 'alerts', kind)).map((name) => join(generated, 'alerts', kind, name)));
  prometheus = await startPrometheus(simulatorCatalog.dir, { [GATEWAY_JOB]: `127.0.0.1:${simulatorCatalog.gatewayPort}` }, rules);
  await workspaceOnKubernetes();
}, 60_000);

/** What deploy/kubernetes would run of workspace, opted in to chaos: a Deployment and its pods. */
async function workspaceOnKubernetes(): Promise<void> {
  const client = KubernetesClient.connect(cluster().kubeconfig);
  await installCrds(client);
  const labels = { 'pyairtable.io/service': 'workspace', 'pyairtable.io/chaos': 'enabled' };
  await client.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'workspace', namespace: NS, labels },
      spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'workspace', image: 'registry.example/workspace:1' }] } } },
    },
    ...['a', 'b', 'c'].map((id) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `workspace-${id}`, namespace: NS, labels }, spec: { containers: [{ name: 'workspace', image: 'registry.example/workspace:1' }] } })),
  ]);
}

const chaosObjects = async (): Promise<string[]> => (await kubectl(cluster(), 'get', 'networkchaos', '-n', NS, '-o', 'name')).stdout.trim().split('\n').filter(Boolean);
const workspaceReplicas = async (): Promise<number> => Number((await kubectl(cluster(), 'get', 'deployment', 'workspace', '-n', NS, '-o', 'jsonpath={.spec.replicas}')).stdout);

afterAll(async () => {
  await prometheus.stop();
  await gateway.stop();
  await simulator.stop();
  await toxiproxy.stop();
});

/** A shipped experiment with shorter windows, written beside the test catalog. */
function shortened(name: string, injectSeconds = 12): string {
  const experiment = parse(readFileSync(join('chaos', name), 'utf8')) as { method: { pauses?: { after?: number } }[]; extensions: Record<string, unknown>[] };
  for (const action of experiment.method) action.pauses = { after: injectSeconds };
  Object.assign(experiment.extensions[0] ?? {}, { steady_state: '6s', recovery: '8s' });
  const file = join(simulatorCatalog.dir, name);
  writeFileSync(file, stringify(experiment));
  return file;
}

/** Any count: the run itself checks the budget and the breaker, and would not have held otherwise. */
const someCount = expect.any(Number) as number;

function chaos(args: readonly string[]) {
  return runSre(['chaos', ...args, '--catalog', gatewayCatalog.file, '--toxiproxy', toxiproxy.api, '--traffic', '0.15'], { SRE_STATE_DIR: simulatorCatalog.dir });
}

function journalOf(stdout: string): ChaosJournal {
  const path = /^journal (.+)$/m.exec(stdout)?.[1] ?? '';
  return JSON.parse(readFileSync(path, 'utf8')) as ChaosJournal;
}

async function faults(): Promise<Record<string, unknown>[]> {
  const body = (await (await fetch(`${adminUrl}/services`)).json()) as { services: { fault: Record<string, unknown> }[] };
  return body.services.map((s) => s.fault).filter((fault) => Object.entries(fault).some(([key, value]) => (key === 'error_status' ? false : Boolean(value))));
}

async function toxics(): Promise<string[]> {
  const proxies = (await (await fetch(`${toxiproxy.api}/proxies`)).json()) as Record<string, { toxics: { name: string }[] }>;
  return Object.values(proxies).flatMap((proxy) => proxy.toxics.map((toxic) => toxic.name));
}

describe('sre chaos run, locally', () => {
  // First: no earlier fault's alerts in the rules' windows.
  it('5 % errors on automation-domain, watched through Prometheus: its availability burns and the fast-burn page fires within its tier\'s promise', async () => {
    const run = await chaos(['run', shortened('automation-domain-errors.yaml', 40), '--prometheus', prometheus.url]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const journal = journalOf(run.stdout);
    expect(journal.sli_source).toBe(`Prometheus at ${prometheus.url} (job "gateway")`);
    const during = journal.phases.find((p) => p.phase === 'injection')?.slos ?? [];
    const burning = during.find((w) => w.slo === 'automation-domain/availability');
    // Counted from what Prometheus scraped: about 5 % of the requests failed.
    expect(burning?.sli).toBeGreaterThan(0.85);
    expect(burning?.sli).toBeLessThan(0.99);
    expect(journal.alerts).toContainEqual(expect.objectContaining({ alertname: 'PyAirtableErrorBudgetBurnFast', service: 'automation-domain', slo: 'availability', severity: 'critical' }));
    const [check] = journal.alert_checks;
    // The fast tier's promise: 2 % of the 30-day budget at the burn measured.
    expect(check?.within_ms).toBeCloseTo((0.02 * 30 * 86_400_000) / (burning?.burnRate ?? 1), -3);
    expect(check?.fired_after_ms).toBeGreaterThan(0);
    expect(check?.fired_after_ms).toBeLessThan(40_000);
    const report = readFileSync(/^report (.+)$/m.exec(run.stdout)?.[1] ?? '', 'utf8');
    expect(report).toMatch(/^- PyAirtableErrorBudgetBurnFast \(critical\) for automation-domain\/availability: active since /m);
    expect(report).toMatch(/^- expected PyAirtableErrorBudgetBurnFast for automation-domain\/availability within [\d.]+ min \(burn measured [\d.]+x\): fired after \d+ s, as expected$/m);
    expect(await faults()).toEqual([]);
  }, 150_000);

  it('refuses an experiment that expects alerts without a Prometheus to read them from', async () => {
    const run = await runSre(['chaos', 'run', 'chaos/automation-domain-errors.yaml', '--catalog', gatewayCatalog.file], { SRE_STATE_DIR: simulatorCatalog.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('chaos/automation-domain-errors.yaml expects alerts (PyAirtableErrorBudgetBurnFast): give the Prometheus that evaluates the rules, --prometheus URL');
  });

  it('200 ms on airtable-domain: its latency SLO burns, every other SLO holds, the hypothesis held', async () => {
    const run = await chaos(['run', shortened('airtable-domain-latency.yaml')]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const journal = journalOf(run.stdout);
    expect(journal.verdict).toBe('held');
    const during = journal.phases.find((p) => p.phase === 'injection')?.slos ?? [];
    expect(during.find((w) => w.slo === 'airtable-domain/latency')?.sli).toBeLessThan(0.5);
    // Held as the run judges it: not proven under the objective by its window's requests (ai-domain's
    // 2 s latency SLO sees a handful of requests a window, and one slow one of fifteen is chance).
    for (const w of during.filter((x) => x.slo !== 'airtable-domain/latency' && x.sli !== null)) expect(provenBelow(w), `${w.slo} at ${w.sli ?? '-'} of ${w.requests}`).toBe(false);
    expect(journal.injections.map((i) => [i.service, i.injected_at !== null, i.rolled_back_at !== null])).toEqual([['airtable-domain', true, true]]);
    expect(await faults()).toEqual([]);
    const report = readFileSync(/^report (.+)$/m.exec(run.stdout)?.[1] ?? '', 'utf8');
    expect(report).toContain('**Verdict: the hypothesis held.**');
    expect(report).toMatch(/\| airtable-domain\/latency \| 95\.00 % \| [\d.]+ % \| [\d.]+ % \(\d+ req\) \| [\d.]+ % \| burns \| yes \|/);
  }, 120_000);

  it('says the hypothesis did not hold when the expected SLO does not burn: 20 ms on airtable-domain stays within 100 ms', async () => {
    const file = shortened('airtable-domain-latency.yaml', 8);
    writeFileSync(file, readFileSync(file, 'utf8').replace('latency_ms: 200', 'latency_ms: 1'));
    const run = await chaos(['run', file]);
    expect(run.code).toBe(1);
    expect(journalOf(run.stdout).reasons).toEqual([expect.stringMatching(/^airtable-domain\/latency was expected to burn but held at/)]);
  }, 120_000);

  it.each([
    { file: 'workspace-network-latency.yaml', burns: 'workspace/latency', below: 0.95, holds: 'workspace/availability', gateway: { retries: 0 } },
    // POSTs: not retried.
    { file: 'permission-connection-resets.yaml', burns: 'permission/availability', below: 0.5, holds: undefined, gateway: { retries: 0, rejected: { circuit_open: someCount } } },
    // GETs: retried, within the budget (the run checks it; it would not have held otherwise).
    { file: 'workspace-connection-resets.yaml', burns: 'workspace/availability', below: 0.5, holds: undefined, gateway: { retries: someCount, rejected: { circuit_open: someCount } } },
    { file: 'airtable-domain-upstream-timeout.yaml', burns: 'airtable-domain/availability', below: 0.5, holds: undefined, gateway: { errors: expect.objectContaining({ 504: someCount }) as Record<string, number>, pastTimeout: 0, rejected: { circuit_open: someCount } } },
    { file: 'airtable-domain-bandwidth-cap.yaml', burns: 'airtable-domain/latency', below: 0.5, holds: 'airtable-domain/availability', gateway: { retries: 0, errors: {} } },
  ])('through Toxiproxy, $file: $burns burns, the gateway behaves as the catalog says, the toxic is removed after', async ({ file, burns, below, holds, gateway }) => {
    const run = await chaos(['run', shortened(file)]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const journal = journalOf(run.stdout);
    const during = journal.phases.find((p) => p.phase === 'injection')?.slos ?? [];
    expect(during.find((w) => w.slo === burns)?.sli).toBeLessThan(below);
    // Latency on the wire is no error: the request still succeeds.
    if (holds) expect(during.find((w) => w.slo === holds)?.sli).toBe(1);
    const service = burns.split('/')[0] ?? '';
    expect(journal.resilience[service]).toMatchObject(gateway);
    expect(await toxics()).toEqual([]);
  }, 180_000);

  it('refuses to start on an unhealthy system, and injects nothing', async () => {
    // Slow, not failing: a failing user would open its breaker for the tests after this one.
    await fetch(`${adminUrl}/faults/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"latency_ms":300}' });
    try {
      const run = await chaos(['run', shortened('airtable-domain-latency.yaml')]);
      expect(run.code).toBe(2);
      expect(journalOf(run.stdout).reasons[0]).toMatch(/^steady state does not hold: user\/latency at [\d.]+ % under its objective 95\.00 %; refusing to inject/);
      expect(journalOf(run.stdout).injections).toEqual([]);
    } finally {
      await fetch(`${adminUrl}/faults/user`, { method: 'DELETE' });
    }
  }, 120_000);

  it('rolls back with sre chaos rollback what a run killed mid-experiment left in the simulator, Toxiproxy and the API server', async () => {
    const experiment = parse(readFileSync(shortened('workspace-network-latency.yaml', 1), 'utf8')) as { method: Record<string, unknown>[] };
    const action = (name: string, provider: Record<string, unknown>, after = 1) => ({ type: 'action', name, provider, pauses: { after } });
    experiment.method.push(
      action('slow workspace by 20 ms', { type: 'simulator-fault', service: 'workspace', fault: { latency_ms: 20 } }),
      action('delay workspace pods', { type: 'chaos-mesh', service: 'workspace', kind: 'NetworkChaos', spec: { action: 'delay', delay: { latency: '100ms' } } }),
      action('scale workspace down', { type: 'kubernetes-scale', service: 'workspace', replicas: 2 }, 120),
    );
    const file = join(simulatorCatalog.dir, 'everywhere.yaml');
    writeFileSync(file, stringify(experiment));
    const chaosMesh = driveChaosMesh(cluster(), NS);
    const child = spawn(process.execPath, ['bin/sre.js', 'chaos', 'run', file, '--catalog', gatewayCatalog.file, '--toxiproxy', toxiproxy.api, '--kubeconfig', cluster().kubeconfig, '--traffic', '0.15'], { env: { ...process.env, SRE_STATE_DIR: simulatorCatalog.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    try {
      await waitFor('every fault to go in', 60_000, () => (/injected: scale workspace down/.test(stderr) ? true : undefined), 200).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}:\n${stderr}`);
      });
    } finally {
      chaosMesh.stop();
    }
    const left = async () => ({ toxics: await toxics(), faults: await faults(), networkChaos: await chaosObjects(), replicas: await workspaceReplicas() });
    expect(await left()).toEqual({ toxics: [expect.stringMatching(/^sre-chaos-/)], faults: [expect.objectContaining({ latency_ms: 20 })], networkChaos: [expect.stringMatching(/^networkchaos\.chaos-mesh\.org\/sre-chaos-/)], replicas: 2 });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await left()).replicas).toBe(2);
    const rollback = await runSre(['chaos', 'rollback'], { SRE_STATE_DIR: simulatorCatalog.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toMatch(/^rolled back: scale Deployment pyairtable\/workspace back to 3 replicas/m);
    expect(rollback.stdout).toMatch(/^rolled back: delete NetworkChaos pyairtable\/sre-chaos-\w+-2/m);
    expect(rollback.stdout).toMatch(/^rolled back: remove toxic sre-chaos-\w+-0 from pyairtable-workspace/m);
    expect(rollback.stdout).toContain('4 injections rolled back from 1 journal');
    expect(await left()).toEqual({ toxics: [], faults: [], networkChaos: [], replicas: 3 });
    // Nothing left: a second rollback finds nothing to do.
    expect((await runSre(['chaos', 'rollback'], { SRE_STATE_DIR: simulatorCatalog.dir })).stdout).toMatch(/^nothing to roll back/);
    expect(readdirSync(join(simulatorCatalog.dir, 'chaos')).some((name) => name.endsWith('.partial'))).toBe(false);
  }, 120_000);
});
