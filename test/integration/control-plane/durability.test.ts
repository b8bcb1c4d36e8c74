import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { freePorts } from '../../../src/net/free-ports.js';
import { SECRET_FILES } from '../../../src/state/secrets.js';
import { payload } from '../../helpers/alertmanager-payloads.js';
import { testCatalog, type TestCatalog } from '../../helpers/catalog.js';
import { usePostgres } from '../../helpers/postgres.js';
import { startSre, type StartedProcess } from '../../helpers/processes.js';
import { stackSecrets } from '../../helpers/secrets.js';

/**
 * Nothing the control plane acknowledged to Alertmanager is lost: a burst of deliveries, the process
 * killed (SIGKILL) in the middle of it, a restart, and every delivery that was answered 200 is there.
 * For SQLite and for PostgreSQL; and two processes on one PostgreSQL agree on one incident.
 */
const postgresDatabase = usePostgres();

const SERVICES = ['user', 'auth', 'workspace', 'permission', 'airtable-domain'];

interface Harness {
  readonly catalog: TestCatalog;
  readonly url: string;
  start(port?: number): Promise<StartedProcess>;
}

async function harness(storage: 'sqlite' | 'postgres'): Promise<Harness> {
  const catalog = await testCatalog();
  const databaseUrl = storage === 'postgres' ? await postgresDatabase('durability') : undefined;
  return {
    catalog,
    url: `http://127.0.0.1:${catalog.controlPlanePort}`,
    start: (port = catalog.controlPlanePort) => startSre(['control-plane', '--port', String(port), ...(databaseUrl ? ['--database-url', databaseUrl] : [])], catalog, `http://127.0.0.1:${port}/readyz`),
  };
}

function deliver(url: string, token: string, body: unknown): Promise<number> {
  return fetch(`${url}/api/v1/alertmanager/webhook`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
    () => 0,
  );
}

async function storedFingerprints(url: string, key: string): Promise<Set<string>> {
  const { incidents } = (await (await fetch(`${url}/api/incidents?limit=1000`, { headers: { 'x-api-key': key } })).json()) as { incidents: { id: string }[] };
  const found = new Set<string>();
  for (const incident of incidents) {
    const { alerts } = (await (await fetch(`${url}/api/incidents/${incident.id}`, { headers: { 'x-api-key': key } })).json()) as { alerts: { fingerprint: string }[] };
    for (const alert of alerts) found.add(alert.fingerprint);
  }
  return found;
}

describe.each(['sqlite', 'postgres'] as const)('deliveries on %s', (storage) => {
  it('survive a SIGKILL in the middle of a burst: every delivery answered 200 is stored', async () => {
    const test = await harness(storage);
    const first = await test.start();
    const token = readFileSync(join(test.catalog.dir, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
    const fingerprints = Array.from({ length: 1000 }, (_, index) => `d${index.toString(16).padStart(15, '0')}`);
    let answeredSoFar = 0;
    let kill: () => void = () => undefined;
    const killedOnce = new Promise<void>((resolve) => {
      kill = resolve;
    });
    const burst = fingerprints.map((fingerprint, index) =>
      deliver(test.url, token, payload([{ service: SERVICES[index % SERVICES.length] ?? 'user', fingerprint }])).then((status) => {
        // Killed once a part of the burst has been answered, with the rest on its way.
        if (status === 200 && ++answeredSoFar === 200) kill();
        return { fingerprint, status };
      }),
    );
    await killedOnce;
    first.child.kill('SIGKILL');
    const results = await Promise.all(burst);
    await first.stop();
    const answered = results.filter((r) => r.status === 200).map((r) => r.fingerprint);
    const unanswered = results.filter((r) => r.status !== 200).length;
    expect(answered.length).toBeGreaterThanOrEqual(200);
    expect(unanswered).toBeGreaterThan(0);
    const second = await test.start();
    try {
      const stored = await storedFingerprints(test.url, stackSecrets(test.catalog.dir).apiKey);
      expect(answered.filter((fingerprint) => !stored.has(fingerprint))).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('finishes the writes in flight on SIGTERM, answering each, before it exits 0', async () => {
    const test = await harness(storage);
    const running = await test.start();
    const token = readFileSync(join(test.catalog.dir, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
    const burst = Array.from({ length: 200 }, (_, index) => deliver(test.url, token, payload([{ service: SERVICES[index % SERVICES.length] ?? 'user', fingerprint: `e${index.toString(16).padStart(15, '0')}` }])));
    await burst[20];
    const exit = running.stop();
    const statuses = await Promise.all(burst);
    expect(await exit).toBe(0);
    // Each delivery either got in before the door closed and was stored, or was refused a connection.
    expect(statuses.every((status) => status === 200 || status === 0)).toBe(true);
    const answered = statuses.filter((status) => status === 200).length;
    const second = await test.start();
    try {
      expect((await storedFingerprints(test.url, stackSecrets(test.catalog.dir).apiKey)).size).toBe(answered);
    } finally {
      await second.stop();
    }
  }, 90_000);
});

describe('two control planes on one PostgreSQL', () => {
  it('make one incident of concurrent deliveries of the same page to both', async () => {
    const test = await harness('postgres');
    const [second = 0] = await freePorts(1);
    const a = await test.start();
    const b = await test.start(second);
    try {
      const token = readFileSync(join(test.catalog.dir, SECRET_FILES.controlPlaneWebhookToken), 'utf8').trim();
      const page = payload([{ service: 'user', fingerprint: 'f000000000000001' }, { service: 'user', fingerprint: 'f000000000000002' }]);
      const statuses = await Promise.all(Array.from({ length: 40 }, (_, index) => deliver(index % 2 === 0 ? test.url : `http://127.0.0.1:${second}`, token, page)));
      expect(statuses.every((status) => status === 200)).toBe(true);
      const key = stackSecrets(test.catalog.dir).apiKey;
      const { incidents } = (await (await fetch(`${test.url}/api/incidents`, { headers: { 'x-api-key': key } })).json()) as { incidents: unknown[] };
      expect(incidents).toHaveLength(1);
      expect(await storedFingerprints(`http://127.0.0.1:${second}`, key)).toEqual(new Set(['f000000000000001', 'f000000000000002']));
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 90_000);
});
