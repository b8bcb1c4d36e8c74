import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../../src/gateway/node-flags.js';

describe("the gateway's Node.js flags", () => {
  it('are what the container image sets as NODE_OPTIONS', () => {
    const env = /^ENV .*NODE_OPTIONS=(?:"([^"]*)"|(\S+))/m.exec(readFileSync('Dockerfile', 'utf8'));
    expect(env?.[1] ?? env?.[2]).toBe(GATEWAY_NODE_FLAGS.join(' '));
  });

  it('are accepted by this Node.js, on the command line and in NODE_OPTIONS', () => {
    const direct = spawnSync(process.execPath, [...GATEWAY_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(direct.stderr).toBe('');
    expect(direct.status).toBe(0);
    const viaEnv = spawnSync(process.execPath, ['-e', 'process.exit(0)'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: GATEWAY_NODE_FLAGS.join(' ') } });
    expect(viaEnv.stderr).toBe('');
    expect(viaEnv.status).toBe(0);
  });
});
