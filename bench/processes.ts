import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCpus } from './cpu-pinning.js';
import { keepTail } from './stream-tail.js';

export interface BenchProcess {
  readonly name: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** taskset CPU list; undefined runs the program wherever the scheduler likes. */
  readonly cpuList?: string | undefined;
}

// A benchmark that dies of an uncaught error skips its own clean-up; its processes must not outlive it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a node program and waits until `readyUrl` answers (any HTTP status counts as up). With
 * `cpuList`, it runs, threads and all, only on those CPUs from its first instruction.
 */
export async function startNode(name: string, args: readonly string[], readyUrl: string, env: NodeJS.ProcessEnv = {}, { cpuList }: StartOptions = {}): Promise<BenchProcess> {
  const child = spawn(...onCpus(cpuList, process.execPath, args), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stderr = keepTail(child.stderr);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr()}`);
    try {
      await fetch(readyUrl, { signal: AbortSignal.timeout(500) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${name} did not start:\n${stderr()}`);
      await sleep(50);
    }
  }
  return {
    name,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}
