import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../net/free-ports.js';
import { MissingToolError } from '../tools/find-tool.js';

export interface RunningPostgres {
  /** A database URL for a fresh, empty database of its own, named `<prefix>_<n>`. */
  database(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL 15 server (Debian's postgresql package) in a temporary directory, on
 * loopback only, for the tests and the benchmark. initdb and pg_ctl refuse to run as root, so as
 * root they run as the postgres user. fsync stays on: durability is what is tested and measured.
 */
export async function startPostgres(): Promise<RunningPostgres> {
  if (!existsSync(join(BIN, 'postgres'))) throw new MissingToolError(`PostgreSQL 15 is not installed (${BIN}); run scripts/setup (it installs Debian's postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), 'sre-pg-'));
  const asRoot = userInfo().uid === 0;
  const run = (command: string, args: readonly string[]): string => execFileSync(asRoot ? 'runuser' : join(BIN, command), asRoot ? ['-u', 'postgres', '--', join(BIN, command), ...args] : [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8']);
  const [port = 0] = await freePorts(1);
  // fsync on: the durability tests are about what a commit promises.
  const server = spawn(asRoot ? 'runuser' : join(BIN, 'postgres'), [...(asRoot ? ['-u', 'postgres', '--', join(BIN, 'postgres')] : []), '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'max_connections=100'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
      break;
    } catch {
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start:\n${stderr.slice(-2000)}`);
      await sleep(100);
    }
  }
  let databases = 0;
  return {
    database(prefix) {
      const name = `${prefix}_${++databases}`;
      execFileSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE "${name}"`], { stdio: ['ignore', 'ignore', 'pipe'] });
      return Promise.resolve(`postgres://postgres@127.0.0.1:${port}/${name}`);
    },
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        // Through pg_ctl: a signal to runuser does not reach the server behind it.
        run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
