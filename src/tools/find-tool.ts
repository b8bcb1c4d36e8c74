import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Where scripts/setup installs the tools it builds with the Go toolchain. */
export const TOOLS_BIN = resolve('.tools/bin');

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/** The path of an external tool; a missing one is an error naming the script that installs it. */
export function findTool(name: string): string {
  for (const dir of [TOOLS_BIN, ...(process.env.PATH ?? '').split(delimiter)]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new MissingToolError(`${name} is not installed; run scripts/setup (it installs ${name})`);
}
