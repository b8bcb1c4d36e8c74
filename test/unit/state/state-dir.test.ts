import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateDir } from '../../../src/state/state-dir.js';

describe('the state directory', () => {
  it('is ./.sre when SRE_STATE_DIR is unset', () => {
    expect(stateDir({})).toBe(resolve('.sre'));
  });

  it('is created, private to its owner, where SRE_STATE_DIR says', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sre-state-')), 'nested', 'state');
    expect(stateDir({ SRE_STATE_DIR: dir })).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each(['', '  '])('refuses an SRE_STATE_DIR set to %j instead of writing secrets into the working directory', (value) => {
    expect(() => stateDir({ SRE_STATE_DIR: value })).toThrow('SRE_STATE_DIR is set but empty; unset it to use ./.sre');
  });
});
