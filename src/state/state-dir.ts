import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where a local run keeps what it generates (secrets, data, logs): $SRE_STATE_DIR or ./.sre. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolve(env.SRE_STATE_DIR ?? '.sre');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
