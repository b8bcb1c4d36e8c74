import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneAddress } from '../catalog/index.js';
import { startControlPlane } from '../control-plane/server.js';
import { migrate } from '../control-plane/store/migrations.js';
import { PostgresDatabase, postgresMigrationLock } from '../control-plane/store/postgres.js';
import { SqliteIngestor } from '../control-plane/sqlite-ingestor.js';
import { SqliteDatabase } from '../control-plane/store/sqlite.js';
import type { Database } from '../control-plane/store/database.js';
import { PAGER_ROUTE_KEY } from '../generate/alertmanager/config.js';
import { loadOrCreateSecrets, loadOrCreateWebhookSecrets } from '../state/secrets.js';
import { stateDir } from '../state/state-dir.js';
import { createLogger } from '../telemetry/logger.js';
import { catalogFrom } from './catalog-option.js';
import { CliExit } from './exit.js';
import { onTerminationSignal } from './signals.js';

export interface ControlPlaneCommandOptions {
  readonly catalog?: string;
  readonly port?: number;
  readonly host?: string;
  readonly prometheus?: string;
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly webhookTokenFile?: string;
  readonly pagerdutySecretFile?: string;
}

export async function controlPlaneCommand(options: ControlPlaneCommandOptions): Promise<void> {
  const catalog = catalogFrom(options.catalog);
  const state = stateDir();
  const address = controlPlaneAddress(catalog);
  const log = createLogger('control-plane');
  const databaseUrl = options.databaseUrl ?? process.env.SRE_DATABASE_URL;
  const dataDir = options.dataDir ?? process.env.SRE_DATA_DIR ?? join(state, 'control-plane');
  const db: Database = databaseUrl ? PostgresDatabase.open(databaseUrl) : SqliteDatabase.open(dataDir);
  const applied = await migrate(db, db.dialect === 'postgres' ? postgresMigrationLock : undefined).catch(async (error: unknown) => {
    await db.close();
    throw new CliExit(2, `the control plane cannot open its database: ${(error as Error).message}`);
  });
  const secrets = await loadOrCreateSecrets(state);
  const generated = await loadOrCreateWebhookSecrets(state);
  const webhookToken = options.webhookTokenFile ? readSecret(options.webhookTokenFile, '--webhook-token-file') : generated.webhookToken;
  const pagerDutySecret = options.pagerdutySecretFile ? readSecret(options.pagerdutySecretFile, '--pagerduty-secret-file') : generated.pagerDutySecret;
  const authService = catalog.services.find((service) => service.kind === 'auth');
  const running = await startControlPlane({
    catalog,
    db,
    secrets,
    webhookToken,
    pagerDutySecret,
    pagerRouteKey: PAGER_ROUTE_KEY,
    webhookPath: address.webhookPath,
    prometheus: new URL(options.prometheus ?? `http://${catalog.stack.prometheus}`),
    jwksUrl: authService ? new URL('/.well-known/jwks.json', authService.upstream) : undefined,
    // SQLite commits synchronously: its deliveries are written on a thread of their own.
    ...(db.dialect === 'sqlite' ? { ingest: new SqliteIngestor(dataDir, PAGER_ROUTE_KEY) } : {}),
    log,
  }, options.host ?? address.host, options.port ?? address.port);
  process.stdout.write(`control-plane ${running.url}\n`);
  log.info({ url: running.url, storage: db.dialect, migrations_applied: applied, webhook: address.webhookPath }, 'control plane started');
  onTerminationSignal(async (signal) => {
    log.info({ signal }, 'stopping: finishing the writes in flight');
    await running.stop();
    log.info('stopped');
    log.flush();
    return 0;
  });
}

function readSecret(file: string, flag: string): string {
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value === '') throw new Error('it is empty');
    return value;
  } catch (error) {
    throw new CliExit(2, `${flag} ${file}: ${(error as Error).message}`);
  }
}
