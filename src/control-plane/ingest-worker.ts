import { parentPort, workerData } from 'node:worker_threads';
import { Incidents } from './incidents.js';
import { SqliteDatabase } from './store/sqlite.js';
import type { AlertmanagerPayload } from './webhooks/alertmanager.js';
import type { IngestRequest, IngestResponse, IngestWorkerData } from './sqlite-ingestor.js';

/**
 * The SQLite writer of Alertmanager deliveries, on a thread of its own: better-sqlite3 commits
 * synchronously, fsync included, and on the event loop that fsync would stop every request.
 */
const port = parentPort;
if (!port) throw new Error('ingest-worker runs as a worker thread of the control plane');
const { dataDir, pagerRouteKey } = workerData as IngestWorkerData;
const incidents = new Incidents(SqliteDatabase.open(dataDir), pagerRouteKey);

port.on('message', (request: IngestRequest) => {
  incidents.ingest(request.payloads as AlertmanagerPayload[]).then(
    (changes) => {
      port.postMessage({ id: request.id, changes } satisfies IngestResponse);
    },
    (error: unknown) => {
      port.postMessage({ id: request.id, error: (error as Error).message } satisfies IngestResponse);
    },
  );
});
