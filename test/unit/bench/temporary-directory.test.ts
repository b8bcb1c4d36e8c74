import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inTemporaryDirectory } from '../../../bench/temporary-directory.js';

describe('a benchmark temporary directory', () => {
  it('exists while the work runs and is gone after it, files and all', async () => {
    let seen = '';
    const answer = await inTemporaryDirectory((dir) => {
      seen = dir;
      writeFileSync(join(dir, 'results.bin'), 'x');
      return Promise.resolve(existsSync(join(dir, 'results.bin')));
    });
    expect(answer).toBe(true);
    expect(existsSync(seen)).toBe(false);
  });

  it('is gone after work that fails, and the failure comes through', async () => {
    let seen = '';
    await expect(inTemporaryDirectory((dir) => {
      seen = dir;
      return Promise.reject(new Error('vegeta attack exited with 1'));
    })).rejects.toThrow('vegeta attack exited with 1');
    expect(seen).not.toBe('');
    expect(existsSync(seen)).toBe(false);
  });
});
