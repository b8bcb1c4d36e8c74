import { generateArtifacts } from '../generate/artifacts.js';
import { drift, writeArtifacts } from '../generate/writer.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';

export interface GenerateOptions {
  readonly catalog?: string;
  readonly check?: boolean;
}

/** Generates every artifact from the catalog; with --check, only reports drift (exit 1). */
export function generateCommand(options: GenerateOptions): void {
  const catalog = catalogFrom(options.catalog);
  const artifacts = generateArtifacts(catalog);
  const root = process.cwd();
  if (options.check) {
    const found = drift(artifacts, root);
    const lines = [...found.changed.map((p) => `out of date: ${p}`), ...found.added.map((p) => `missing: ${p}`), ...found.stale.map((p) => `no longer generated: ${p}`)];
    if (lines.length > 0) throw new CliExit(1, `${lines.join('\n')}\n${lines.length} generated file(s) differ from ${catalog.source}; run \`npx sre generate\``);
    process.stdout.write(`${artifacts.size} generated files are up to date with ${catalog.source}\n`);
    return;
  }
  const written = writeArtifacts(artifacts, root);
  const touched = written.added.length + written.changed.length;
  process.stdout.write(`${artifacts.size} files generated from ${catalog.source}: ${touched} written, ${written.stale.length} removed, ${artifacts.size - touched} unchanged\n`);
}
