import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../project-root.js';
import type { Change } from './incidents.js';
import type { AlertmanagerPayload } from './webhooks/alertmanager.js';

export interface IngestWorkerData {
  readonly dataDir: string;
  readonly pagerRouteKey: string;
}

export interface IngestRequest {
  readonly id: number;
  readonly payloads: readonly AlertmanagerPayload[];
}

export type IngestResponse = { readonly id: number; readonly changes: Change[] } | { readonly id: number; readonly error: string };

/**
 * Deliveries written to SQLite by a worker thread (ingest-worker.ts), its own connection to the same
 * database file: the event loop goes on reading requests while a commit waits for the disk. Reads,
 * and the rare writes of people (acknowledge, resolve), stay on the main thread's connection.
 */
export class SqliteIngestor {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (changes: Change[]) => void; reject: (error: Error) => void }>();
  private next = 0;
  private failure: Error | undefined;

  constructor(dataDir: string, pagerRouteKey: string) {
    this.worker = new Worker(workerFile(), { workerData: { dataDir, pagerRouteKey } satisfies IngestWorkerData });
    this.worker.on('message', (response: IngestResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if ('error' in response) waiting?.reject(new Error(response.error));
      else waiting?.resolve(response.changes);
    });
    this.worker.on('error', (error) => {
      this.fail(error);
    });
    this.worker.on('exit', (code) => {
      this.fail(new Error(`the ingest worker exited with code ${code}`));
    });
  }

  ingest(payloads: readonly AlertmanagerPayload[]): Promise<Change[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, payloads } satisfies IngestRequest);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the ingest worker is closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** The compiled worker beside this module; from the TypeScript sources (tests), the build's. */
function workerFile(): URL {
  const beside = new URL('./ingest-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : pathToFileURL(join(PROJECT_ROOT, 'dist/control-plane/ingest-worker.js'));
}
