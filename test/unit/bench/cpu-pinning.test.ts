import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuLayoutFromEnv, onCpus, pinProcess } from '../../../bench/cpu-pinning.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';

describe('benchmark CPU layout', () => {
  it('is absent unless BENCH_PIN=1', () => {
    expect(cpuLayoutFromEnv({}, 2)).toBeUndefined();
    expect(cpuLayoutFromEnv({ BENCH_PIN: '0' }, 2)).toBeUndefined();
  });

  it('gives the proxy the last core and everything else the others', () => {
    expect(cpuLayoutFromEnv({ BENCH_PIN: '1' }, 2)).toEqual({ proxy: '1', rest: '0' });
    expect(cpuLayoutFromEnv({ BENCH_PIN: '1' }, 8)).toEqual({ proxy: '7', rest: '0-6' });
  });

  it('names the variable and the valid values when BENCH_PIN is something else', () => {
    expect(() => cpuLayoutFromEnv({ BENCH_PIN: 'yes' }, 2)).toThrow('BENCH_PIN must be 0 or 1, got "yes"');
  });

  it('refuses to pin on a single core', () => {
    expect(() => cpuLayoutFromEnv({ BENCH_PIN: '1' }, 1)).toThrow('needs at least 2 cores');
  });

  it('runs a command under taskset only when given a CPU list', () => {
    expect(onCpus(undefined, 'wrk', ['-t1'])).toEqual(['wrk', ['-t1']]);
    expect(onCpus('0', 'wrk', ['-t1'])).toEqual(['taskset', ['--cpu-list', '0', 'wrk', '-t1']]);
  });

  it('moves a running process onto the given CPUs', async () => {
    requireTool('taskset');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      pinProcess(child.pid ?? 0, '0');
      expect(readFileSync(`/proc/${child.pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s+0$/m);
    } finally {
      child.kill();
    }
  });

  it('says which process and CPUs it could not pin', () => {
    requireTool('taskset');
    expect(() => { pinProcess(2 ** 22 + 12345, '0'); }).toThrow('cannot pin process 4206649 to CPUs 0: no such process');
  });
});
