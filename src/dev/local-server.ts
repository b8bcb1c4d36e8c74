import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LocalServer {
  /** Stops the server with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a real server for a test or a benchmark and waits until it is ready: `ready` is a URL that
 * must answer 2xx, or a probe. Fails with the tail of its stderr if it exits first or is not ready
 * within `timeoutMs`.
 */
export async function startLocalServer(name: string, command: string, args: readonly string[], ready: string | (() => Promise<boolean>), timeoutMs = 30_000): Promise<LocalServer> {
  const probe = typeof ready === 'string' ? async (): Promise<boolean> => (await fetch(ready)).ok : ready;
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  // The tail is what an error shows; a chatty server must not fill memory with the rest.
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-65_536)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr.slice(-2000)}`);
    try {
      if (await probe()) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after ${timeoutMs / 1000} s:\n${stderr.slice(-2000)}`);
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
