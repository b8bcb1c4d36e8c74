import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../../../src/net/free-ports.js';
import { waitFor } from '../../helpers/wait.js';

/** Whether a process is gone, or dead and waiting to be reaped. */
function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('benchmark processes', () => {
  it('do not outlive a benchmark that dies of an uncaught error', async () => {
    const [port] = await freePorts(1);
    const processes = pathToFileURL(resolve('dist-bench/bench/processes.js')).href;
    const server = `require('node:http').createServer((req, res) => res.end()).listen(${port}, '127.0.0.1')`;
    const benchmark = `
      import { startNode } from ${JSON.stringify(processes)};
      const server = await startNode('server', ['-e', ${JSON.stringify(server)}], 'http://127.0.0.1:${port}/');
      process.stdout.write(server.child.pid + '\\n');
      setTimeout(() => { throw new Error('the benchmark failed'); }, 10);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', benchmark], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toContain('the benchmark failed');
    const pid = Number(run.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(`the server (pid ${pid}) to be gone`, 5_000, () => (gone(pid) ? true : undefined), 50);
  });
});
