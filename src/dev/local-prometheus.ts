import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../net/free-ports.js';
import { PrometheusClient, type InstantSample } from '../prometheus/client.js';
import { findTool } from '../tools/find-tool.js';
import { startLocalServer } from './local-server.js';

export interface RunningPrometheus {
  readonly url: string;
  readonly client: PrometheusClient;
  query(expr: string, at?: Date): Promise<InstantSample[]>;
  stop(): Promise<void>;
}

/**
 * A throwaway Prometheus in `dir` for the tests and the benchmarks, scraping `targets` (job name ->
 * host:port) and evaluating `ruleFiles` every second; ready once /-/ready answers.
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
  const url = `http://127.0.0.1:${port}`;
  const server = await startLocalServer('prometheus', findTool('prometheus'), [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${port}`], `${url}/-/ready`);
  const client = new PrometheusClient(new URL(url));
  return {
    url,
    client,
    query: (expr, at) => client.query(expr, at),
    stop: () => server.stop(),
  };
}
