import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_CONFIG, JAEGER_CONFIG, jaegerValidate, otelcolValidate } from '../../../src/validate/checks.js';
import { requireTool } from '../../helpers/tools.js';

/** A copy of `file` with one edit, in a fresh directory. */
function broken(file: string, from: string, to: string): string {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  const copy = join(mkdtempSync(join(tmpdir(), 'sre-config-')), 'config.yaml');
  writeFileSync(copy, text.replace(from, to));
  return copy;
}

describe('the collector and Jaeger configurations, dry-run by their own binaries', () => {
  it('accepts collector/otel-collector.yaml and refuses a misspelt processor setting, naming it', async () => {
    requireTool('otelcol-pyairtable');
    expect(await otelcolValidate()).toMatchObject({ ok: true });
    const result = await otelcolValidate(broken(COLLECTOR_CONFIG, 'decision_wait:', 'decision_waits:'));
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('decision_waits');
  });

  it('accepts collector/jaeger.yaml and refuses a misspelt storage setting, naming it', async () => {
    requireTool('jaeger');
    expect(await jaegerValidate()).toMatchObject({ ok: true });
    const result = await jaegerValidate(broken(JAEGER_CONFIG, 'max_traces:', 'max_tracez:'));
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('max_tracez');
  });
});
