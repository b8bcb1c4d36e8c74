import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_CONFIG, JAEGER_CONFIG, jaegerValidate, otelcolValidate } from '../../../src/validate/checks.js';
import { findTool as requireTool } from '../../../src/tools/find-tool.js';

/** A copy of `file` with one edit, in a fresh directory. */
function broken(file: string, from: string, to: string): string {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  const copy = join(mkdtempSync(join(tmpdir(), 'sre-config-')), 'config.yaml');
  writeFileSync(copy, text.replace(from, to));
  return copy;
}

describe('the collector and Jaeger configurations, dry-run by their own binaries', () => {
  it.each([
    { tool: 'otelcol-pyairtable', file: COLLECTOR_CONFIG, validate: otelcolValidate, key: 'decision_wait:', misspelt: 'decision_waits' },
    { tool: 'jaeger', file: JAEGER_CONFIG, validate: jaegerValidate, key: 'max_traces:', misspelt: 'max_tracez' },
  ])('$tool accepts $file and refuses a misspelt key ($misspelt), naming it', async ({ tool, file, validate, key, misspelt }) => {
    requireTool(tool);
    expect(await validate()).toMatchObject({ ok: true });
    const result = await validate(broken(file, key, `${misspelt}:`));
    expect(result.ok).toBe(false);
    expect(result.detail).toContain(misspelt);
  });
});
