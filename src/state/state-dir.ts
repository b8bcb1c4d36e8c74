import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export class StateDirError extends Error {
  override name = 'StateDirError';
}

/** Where a local run keeps what it generates (secrets, data, logs): $SRE_STATE_DIR or ./.sre. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SRE_STATE_DIR;
  // An empty value would resolve to the working directory, often a checkout: generated secrets
  // would land beside the code. It is almost always a script's unset variable, so say so.
  if (configured !== undefined && configured.trim() === '') {
    throw new StateDirError('SRE_STATE_DIR is set but empty; unset it to use ./.sre, or give the directory for local state (secrets, data, logs)');
  }
  const dir = resolve(configured ?? '.sre');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
