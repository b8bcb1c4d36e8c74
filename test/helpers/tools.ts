import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Where scripts/setup installs the tools it builds (k6 replacements, linters, the collector). */
export const TOOLS_BIN = resolve('.tools/bin');

/**
 * The path of an external tool the tests need. A missing tool fails the test with the command
 * that installs it: scripts/setup installs every one, so a missing tool is a broken setup.
 */
export function requireTool(name: string): string {
  for (const dir of [TOOLS_BIN, ...(process.env.PATH ?? '').split(delimiter)]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed; run scripts/setup (it installs ${name})`);
}

export function run(tool: string, args: readonly string[], input?: string): { status: number; output: string } {
  try {
    const output = execFileSync(tool, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
