import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_DIRS, GENERATED_MARK, type Artifacts } from './artifacts.js';

export interface Drift {
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly stale: readonly string[];
}

/** Compares generated content with the files on disk (paths relative to `root`). */
export function drift(artifacts: Artifacts, root: string): Drift {
  const changed: string[] = [];
  const added: string[] = [];
  for (const [path, content] of artifacts) {
    const current = readIfExists(join(root, path));
    if (current === undefined) added.push(path);
    else if (current !== content) changed.push(path);
  }
  const stale = generatedFilesOnDisk(root).filter((path) => !artifacts.has(path));
  return { changed, added, stale };
}

/**
 * Writes every changed file through a temporary file and a rename, so a reader never sees half a
 * file, and removes generated files the catalog no longer produces. Hand-written files are kept.
 */
export function writeArtifacts(artifacts: Artifacts, root: string): Drift {
  const result = drift(artifacts, root);
  for (const path of [...result.added, ...result.changed]) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, artifacts.get(path) ?? '');
    renameSync(temporary, target);
  }
  for (const path of result.stale) rmSync(join(root, path));
  return result;
}

function generatedFilesOnDisk(root: string): string[] {
  const found: string[] = [];
  const walk = (relativeDir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(join(root, relativeDir));
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(relativeDir, entry);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if ((readIfExists(join(root, path)) ?? '').slice(0, 400).includes(GENERATED_MARK)) found.push(path);
    }
  };
  for (const dir of GENERATED_DIRS) walk(dir);
  return found;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
