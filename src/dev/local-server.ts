import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LocalServer {
  /** Stops the server with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a real server for a test or a benchmark and waits until `readyUrl` answers 2xx; fails
 * with the tail of its stderr if it exits first or is not ready within 30 s.
 */
export async function startLocalServer(name: string, command: string, args: readonly string[], readyUrl: string): Promise<LocalServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr.slice(-2000)}`);
    try {
      if ((await fetch(readyUrl)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after 30 s:\n${stderr.slice(-2000)}`);
    }
    await sleep(100);
  }
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
