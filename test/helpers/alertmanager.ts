import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { findAlertmanager } from '../../src/cli/up.js';
import { startLocalServer } from '../../src/dev/local-server.js';
import { freePorts } from '../../src/net/free-ports.js';

export interface RunningAlertmanager {
  readonly url: string;
  /** Posts alerts to Alertmanager's API, as Prometheus does. */
  fire(alerts: readonly { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real Alertmanager with the generated configuration, edited for a test: its secret files
 * pointed at the test's, receivers' URLs swapped by `edit`, and groups sent within a second.
 */
export async function startAlertmanager(dir: string, edit: (config: { receivers: Record<string, unknown>[] }) => void): Promise<RunningAlertmanager> {
  const config = parse(readFileSync('alerts/alertmanager.yml', 'utf8')) as { route: Record<string, unknown> & { routes: Record<string, unknown>[] }; receivers: Record<string, unknown>[] };
  Object.assign(config.route, { group_wait: '1s', group_interval: '2s' });
  for (const route of config.route.routes) Object.assign(route, { group_wait: '1s', group_interval: '2s' });
  edit(config);
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  const [port = 0] = await freePorts(1);
  mkdirSync(join(dir, 'alertmanager-data'), { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const server = await startLocalServer('alertmanager', findAlertmanager(), [`--config.file=${file}`, `--storage.path=${join(dir, 'alertmanager-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], `${url}/-/ready`);
  return {
    url,
    async fire(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts.map((alert) => ({ annotations: {}, ...alert, generatorURL: 'http://prometheus.test/graph' }))) });
      if (!response.ok) throw new Error(`alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
    stop: () => server.stop(),
  };
}
