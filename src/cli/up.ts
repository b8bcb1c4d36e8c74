import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../catalog/index.js';
import { parseHostPort } from '../catalog/index.js';
import { isFree } from '../net/free-ports.js';
import { SECRET_FILES } from '../state/secrets.js';
import { stateDir } from '../state/state-dir.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';
import { onTerminationSignal } from './signals.js';

const CLI = fileURLToPath(new URL('../../bin/sre.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

interface Component {
  readonly name: string;
  readonly args: readonly string[];
  readonly healthUrl: string;
  readonly url: string;
}

export interface UpOptions {
  readonly catalog?: string;
}

/** Starts the local stack as child processes, each logging into the state directory. */
export async function upCommand(options: UpOptions): Promise<void> {
  const catalogPath = options.catalog ?? process.env.SRE_CATALOG ?? 'slo/catalog.yaml';
  const catalog = catalogFrom(catalogPath);
  await assertPortsFree(catalog);
  const state = stateDir();
  const logs = join(state, 'logs');
  mkdirSync(logs, { recursive: true });
  const admin = `http://${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`;
  const gateway = `http://${catalog.gateway.listen}`;
  const components: Component[] = [
    { name: 'simulator', args: ['simulate', '--catalog', catalogPath], healthUrl: `${admin}/healthz`, url: admin },
    { name: 'gateway', args: ['gateway', '--catalog', catalogPath], healthUrl: `${gateway}/healthz`, url: gateway },
  ];
  const children: ChildProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child)));
  };
  onTerminationSignal(async () => {
    process.stdout.write('stopping...\n');
    await stopAll();
    return 0;
  });
  for (const component of components) {
    const logFile = join(logs, `${component.name}.log`);
    // No collector runs in this stack yet: export no traces unless the operator asked for it.
    const env = { ...process.env, OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER ?? 'none' };
    const child = spawn(process.execPath, [CLI, ...component.args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    child.stderr.pipe(createWriteStream(logFile, { flags: 'a' }));
    children.push(child);
    child.once('exit', (code, signal) => {
      if (signal === null && code !== 0) process.stderr.write(`${component.name} exited with code ${code ?? '?'}; see ${relative(process.cwd(), logFile)}\n`);
    });
    if (!(await waitHealthy(component.healthUrl, child))) {
      await stopAll();
      throw new CliExit(1, `${component.name} did not become healthy within ${READY_TIMEOUT_MS / 1000} s; see ${relative(process.cwd(), logFile)}`);
    }
  }
  for (const component of components) process.stdout.write(`${component.name} ${component.url}\n`);
  for (const service of catalog.services) process.stdout.write(`${service.id} ${service.upstream} (simulated)\n`);
  process.stdout.write(`api key: the "key" field of ${relative(process.cwd(), join(state, SECRET_FILES.apiKeys))} (send as X-API-Key)\n`);
  process.stdout.write(`logs: ${relative(process.cwd(), logs)}/; Ctrl-C stops everything\n`);
}

async function assertPortsFree(catalog: Catalog): Promise<void> {
  const listeners: [string, string][] = [
    ['gateway', catalog.gateway.listen],
    ['simulator admin', `${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`],
    ...catalog.services.map((s): [string, string] => [`simulated ${s.id}`, `${s.upstreamHost}:${s.upstreamPort}`]),
  ];
  for (const [name, hostPort] of listeners) {
    const { host, port } = parseHostPort(hostPort);
    if (!(await isFree(port, host))) throw new CliExit(2, `port ${port} on ${host} (${name}) is already in use; stop what holds it (for example: ss -ltnp 'sport = :${port}') and start again`);
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), sleep(25_000).then(() => false)]);
  if (!killed) child.kill('SIGKILL');
  await exited;
}
