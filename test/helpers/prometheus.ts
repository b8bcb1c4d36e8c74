import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePorts } from '../../src/net/free-ports.js';
import { findTool } from '../../src/tools/find-tool.js';

export interface RunningPrometheus {
  readonly url: string;
  query(expr: string, at?: Date): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus in `dir`, scraping `targets` (job name -> host:port) every second and
 * evaluating `ruleFiles` every second; ready once /-/ready answers.
 */
export async function startPrometheus(dir: string, targets: Readonly<Record<string, string>>, ruleFiles: readonly string[] = []): Promise<RunningPrometheus> {
  const [port = 0] = await freePorts(1);
  mkdirSync(join(dir, 'prometheus-data'), { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: Object.entries(targets).map(([job, target]) => ({ job_name: job, static_configs: [{ targets: [target] }] })),
  }));
  const child: ChildProcess = spawn(findTool('prometheus'), [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${stderr.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${stderr.slice(-2000)}`);
    await sleep(100);
  }
  return {
    url,
    async query(expr, at) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}${at ? `&time=${at.getTime() / 1000}` : ''}`);
      const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
      return body.data?.result ?? [];
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
