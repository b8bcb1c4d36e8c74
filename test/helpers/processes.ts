import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestCatalog } from './catalog.js';

export interface StartedProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON logs). */
  readonly logs: () => string;
  /** SIGTERM, then the exit code (or signal name). */
  stop(): Promise<number | string>;
}

/** Runs `sre <args>` as a real child process and waits until `healthUrl` answers 2xx. */
export async function startSre(args: readonly string[], catalog: TestCatalog, healthUrl: string, env: NodeJS.ProcessEnv = {}): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['bin/sre.js', ...args, '--catalog', catalog.file], {
    env: { ...process.env, SRE_STATE_DIR: catalog.dir, OTEL_TRACES_EXPORTER: 'none', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => { resolve(code ?? signal ?? 'unknown'); }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sre ${args.join(' ')} exited with ${child.exitCode}:\n${stderr}`);
    try {
      if ((await fetch(healthUrl, { signal: AbortSignal.timeout(500) })).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sre ${args.join(' ')} not healthy at ${healthUrl} after 20 s:\n${stderr}`);
    }
    await sleep(50);
  }
  return {
    child,
    logs: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface Stack {
  readonly catalog: TestCatalog;
  readonly gatewayUrl: string;
  readonly adminUrl: string;
  readonly simulator: StartedProcess;
  readonly gateway: StartedProcess;
  stop(): Promise<void>;
}

/** The simulator and the gateway, as separate processes on the test catalog's ports. */
export async function startStack(catalog: TestCatalog, gatewayEnv: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const adminUrl = `http://127.0.0.1:${catalog.adminPort}`;
  const gatewayUrl = `http://127.0.0.1:${catalog.gatewayPort}`;
  const simulator = await startSre(['simulate'], catalog, `${adminUrl}/healthz`);
  const gateway = await startSre(['gateway'], catalog, `${gatewayUrl}/healthz`, gatewayEnv).catch(async (error: unknown) => {
    await simulator.stop();
    throw error;
  });
  return {
    catalog,
    gatewayUrl,
    adminUrl,
    simulator,
    gateway,
    stop: async () => {
      await gateway.stop();
      await simulator.stop();
    },
  };
}
