import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchSwitch } from './bench-settings.js';

/**
 * Where the benchmark's processes may run when BENCH_PIN=1: the proxy under test alone on the
 * last core, the load generator, the simulator, the OTLP sink and the benchmark itself on the
 * others. Unpinned, the three contend for the same two cores and the scheduler decides who
 * waits: the spread between rounds is then mostly the host's. Pinned, a proxy's maximum is what
 * its own core can do, which is what the comparison is about.
 */
export interface CpuLayout {
  /** taskset CPU list for the proxies under test. */
  readonly proxy: string;
  /** taskset CPU list for everything else. */
  readonly rest: string;
}

export function cpuLayoutFromEnv(env: NodeJS.ProcessEnv, cores = cpus().length): CpuLayout | undefined {
  if (!benchSwitch(env, 'BENCH_PIN')) return undefined;
  if (cores < 2) throw new Error(`BENCH_PIN=1 needs at least 2 cores (one for the proxy under test), this machine has ${cores}`);
  const last = cores - 1;
  return { proxy: String(last), rest: last === 1 ? '0' : `0-${last - 1}` };
}

/** Moves a running process and all its threads onto `cpuList` (children start under onCpus instead). */
export function pinProcess(pid: number, cpuList: string): void {
  // taskset --all-tasks reports success for a process that does not exist.
  if (!existsSync(`/proc/${pid}/task`)) throw new Error(`cannot pin process ${pid} to CPUs ${cpuList}: no such process`);
  try {
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpuList, String(pid)], { stdio: 'ignore' });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'taskset is missing (Debian package util-linux)' : (error as Error).message;
    throw new Error(`cannot pin process ${pid} to CPUs ${cpuList}: ${reason}`);
  }
}

/** The command line that runs `command` on `cpuList` (unchanged without a list). */
export function onCpus(cpuList: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return cpuList === undefined ? [command, [...args]] : ['taskset', ['--cpu-list', cpuList, command, ...args]];
}
