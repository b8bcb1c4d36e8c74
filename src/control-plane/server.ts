import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { acknowledgementObjective, acknowledgementTargetSeconds, parseDuration, type Catalog } from '../catalog/index.js';
import { ApiKeyStore } from '../gateway/auth/api-keys.js';
import { JwtVerifier } from '../gateway/auth/jwt-verifier.js';
import { AuthFailure } from '../gateway/auth/principal.js';
import { PrometheusClient } from '../prometheus/client.js';
import type { LocalSecrets } from '../state/secrets.js';
import type { Logger } from '../telemetry/logger.js';
import { CallerAuthenticator, SESSION_COOKIE, allows, bearerMatches, pagerDutySignatureMatches, type Caller, type Role } from './auth.js';
import { GroupCommit } from './ingest-queue.js';
import { IncidentNotFoundError, IncidentStateError, Incidents, type Change, type IncidentFilter, type IncidentStatus, type Severity } from './incidents.js';
import { currentCost } from './cost.js';
import { ControlPlaneMetrics } from './metrics.js';
import { Reports, parseReport } from './reports.js';
import { responseTimes } from './response-times.js';
import { sloStatus } from './slo-status.js';
import { renderLogin, renderStatusPage } from './status-page.js';
import type { Database } from './store/database.js';
import { alertmanagerPayloadSchema, type AlertmanagerPayload } from './webhooks/alertmanager.js';
import { pagerDutyEventSchema } from './webhooks/pagerduty.js';

export interface ControlPlaneOptions {
  readonly catalog: Catalog;
  readonly db: Database;
  readonly secrets: LocalSecrets;
  readonly webhookToken: string;
  readonly pagerDutySecret: string;
  /** Alertmanager's route key of the pager receiver (alertmanager/config.ts). */
  readonly pagerRouteKey: string;
  readonly webhookPath: string;
  readonly prometheus: URL | undefined;
  readonly jwksUrl: URL | undefined;
  /** Writes deliveries durably; by default on the main connection (a SqliteIngestor moves it off the event loop). */
  readonly ingest?: { ingest(payloads: readonly AlertmanagerPayload[]): Promise<Change[]>; close(): Promise<void> };
  readonly log: Logger;
  readonly now?: () => number;
}

export interface RunningControlPlane {
  readonly url: string;
  readonly incidents: Incidents;
  /** Stops taking requests, lets those in flight finish (their writes committed), closes the database. */
  stop(deadlineMs?: number): Promise<void>;
}

const WEBHOOK_BODY_LIMIT = '2mb';
const PAGERDUTY_PATH = '/api/v1/pagerduty/webhook';
/** PostgreSQL's commits wait on round trips more than on the disk: a few batches overlap (SQLite has one writer). */
const POSTGRES_BATCHES_IN_FLIGHT = 4;
/** The longest look back /api/slos?history= (hours) and /api/response-times?days= allow. */
const MAX_HISTORY_HOURS = 24 * 90;
const MAX_RESPONSE_TIME_DAYS = 365;
/** The window of cost per 1,000 requests on /api/cost and the status page, unless ?days= says otherwise. */
const COST_TRAFFIC_DAYS = 1;
const MAX_COST_DAYS = 90;
const DAY_MS = 86_400_000;
/** A report's fault and the incident it caused: the incident must open within this of the fault. */
const FAULT_WINDOW_MS = 30 * 60_000;

/** The control plane's HTTP API, webhooks and status page, listening on host:port. */
export async function startControlPlane(options: ControlPlaneOptions, host: string, port: number): Promise<RunningControlPlane> {
  const now = options.now ?? Date.now;
  const { catalog, db, log } = options;
  const incidents = new Incidents(db, options.pagerRouteKey, now);
  const target = { seconds: acknowledgementTargetSeconds(catalog), objective: acknowledgementObjective(catalog) };
  const reports = new Reports(db, now);
  const metrics = new ControlPlaneMetrics(db, catalog.services.map((service) => service.id), now);
  const staticCost = await currentCost(catalog, undefined, `${COST_TRAFFIC_DAYS}d`, COST_TRAFFIC_DAYS * DAY_MS);
  if (staticCost) metrics.exportCost(staticCost);
  const prometheus = options.prometheus ? new PrometheusClient(options.prometheus) : undefined;
  const jwt = catalog.gateway.auth.jwt;
  const callers = new CallerAuthenticator(
    new ApiKeyStore(options.secrets.apiKeys),
    new JwtVerifier({ issuer: jwt.issuer, audience: jwt.audience, algorithms: jwt.algorithms, clockToleranceSeconds: jwt.clock_tolerance / 1000, hs256Secret: jwt.algorithms.includes('HS256') ? options.secrets.jwtHs256Secret : undefined, jwksUrl: options.jwksUrl }),
  );
  const writer = options.ingest ?? { ingest: (payloads: readonly AlertmanagerPayload[]) => incidents.ingest(payloads), close: () => Promise.resolve() };
  const ingest = new GroupCommit<AlertmanagerPayload, Change[]>(async (payloads) => {
    const changes = await writer.ingest(payloads);
    metrics.observe(changes);
    // One transaction for the batch: its changes are reported once, on the first delivery.
    return payloads.map((_, index) => (index === 0 ? changes : []));
  }, db.dialect === 'postgres' ? POSTGRES_BATCHES_IN_FLIGHT : 1);
  let draining = false;
  let inFlight = 0;
  const settled: (() => void)[] = [];

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) for (const resolve of settled.splice(0)) resolve();
    });
    if (draining) res.setHeader('connection', 'close');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  app.get('/readyz', async (_req, res) => {
    const database = await db.query('SELECT 1 AS ok').then(() => true, () => false);
    res.status(!draining && database ? 200 : 503).json({ ready: !draining && database, draining, database });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Webhooks: authenticated by a token or a signature from a secret file, never open.
  /** A webhook's body once its sender is proven and its payload valid; otherwise answered here, and undefined. */
  const webhookBody = <T>(req: Request, res: Response, source: 'alertmanager' | 'pagerduty', authentic: boolean, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }): T | undefined => {
    if (!authentic) {
      metrics.webhookDeliveries.inc({ source, outcome: 'refused' });
      if (source === 'alertmanager') problem(res, 401, 'unauthorized', 'the webhook needs the bearer token of the control plane\'s secret file (Alertmanager http_config.authorization.credentials_file)');
      else problem(res, 401, 'bad_signature', 'X-PagerDuty-Signature does not match the body signed with the shared secret');
      return undefined;
    }
    const parsed = schema.safeParse(jsonBody(req));
    if (!parsed.success) {
      metrics.webhookDeliveries.inc({ source, outcome: 'refused' });
      const issue = parsed.error.issues[0];
      problem(res, 400, 'invalid_payload', `not ${source === 'alertmanager' ? 'an Alertmanager webhook (version 4)' : 'a PagerDuty v3 webhook'}: ${issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'invalid'}; nothing was stored`);
      return undefined;
    }
    metrics.webhookDeliveries.inc({ source, outcome: 'stored' });
    return parsed.data;
  };

  app.post(options.webhookPath, express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const delivery = webhookBody(req, res, 'alertmanager', bearerMatches(req.headers.authorization, options.webhookToken), alertmanagerPayloadSchema);
    if (!delivery) return;
    const changes = await ingest.add(delivery);
    res.json({ stored: true, alerts: delivery.alerts.length, opened: changes.filter((c) => c.kind === 'opened').map((c) => c.incident.id) });
  });

  app.post(PAGERDUTY_PATH, express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = webhookBody(req, res, 'pagerduty', pagerDutySignatureMatches(req.headers['x-pagerduty-signature'] as string | undefined, raw, options.pagerDutySecret), pagerDutyEventSchema);
    if (!parsed) return;
    const { event } = parsed;
    const key = event.data.incident_key;
    const incident = key ? await incidents.byDedupKey(key) : undefined;
    const actor = `pagerduty:${event.agent?.summary ?? event.agent?.id ?? 'unknown'}`;
    const at = Date.parse(event.occurred_at);
    if (!incident || (event.event_type !== 'incident.acknowledged' && event.event_type !== 'incident.resolved')) {
      res.status(202).json({ applied: false, reason: incident ? `${event.event_type} changes nothing here` : `no incident has dedup key ${key ?? '(none)'}` });
      return;
    }
    const changes = event.event_type === 'incident.acknowledged' ? await acknowledgeOrSkip(incident.id, actor, at) : await incidents.resolve(incident.id, actor, at);
    metrics.observe(changes);
    res.json({ applied: changes.length > 0, incident: incident.id });
  });

  const acknowledgeOrSkip = async (id: string, actor: string, at: number): Promise<Change[]> => {
    try {
      return await incidents.acknowledge(id, actor, at);
    } catch (error) {
      if (error instanceof IncidentStateError) return [];
      throw error;
    }
  };

  // The API and the status page: every caller authenticated, every change needs operator.
  app.use(express.json({ limit: '1mb' }), express.urlencoded({ extended: false, limit: '16kb' }));
  app.get('/login', (_req, res) => {
    res.type('html').send(renderLogin(undefined));
  });
  app.post('/login', sameOrigin, async (req, res) => {
    const key = typeof (req.body as { api_key?: unknown } | undefined)?.api_key === 'string' ? (req.body as { api_key: string }).api_key : '';
    const caller = await callers.authenticate({ 'x-api-key': key }, {});
    if (caller instanceof AuthFailure) {
      res.status(401).type('html').send(renderLogin('That API key is not valid.'));
      return;
    }
    res.cookie(SESSION_COOKIE, key, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 12 * 3_600_000 });
    res.redirect(303, '/');
  });
  app.post('/logout', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

  const requireRole = (role: Role) => async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const caller = await callers.authenticate(req.headers, cookies(req.headers.cookie));
    if (caller instanceof AuthFailure) {
      if (req.accepts(['json', 'html']) === 'html' && req.method === 'GET') res.redirect(303, '/login');
      else problem(res, 401, caller.reason, caller.message);
      return;
    }
    if (!allows(caller, role)) {
      problem(res, 403, 'forbidden', `${role} role needed; ${caller.id} is a ${caller.role}`);
      return;
    }
    res.locals.caller = caller;
    next();
  };

  app.get('/api/incidents', requireRole('viewer'), async (req, res) => {
    const filter = incidentFilter(req.query as Record<string, string | undefined>, now);
    if ('problem' in filter) problem(res, 400, 'invalid_query', filter.problem);
    else res.json({ incidents: await incidents.list(filter) });
  });
  app.get('/api/incidents/:id', requireRole('viewer'), async (req, res) => {
    res.json(await incidents.get(String(req.params.id)));
  });
  const change = (action: 'acknowledge' | 'resolve') => async (req: Request, res: Response): Promise<void> => {
    const caller = res.locals.caller as Caller;
    const changes = action === 'acknowledge' ? await incidents.acknowledge(String(req.params.id), caller.id) : await incidents.resolve(String(req.params.id), caller.id);
    metrics.observe(changes);
    if (req.accepts(['json', 'html']) === 'html' && req.is('urlencoded')) {
      res.redirect(303, '/');
      return;
    }
    res.json((await incidents.get(String(req.params.id))).incident);
  };
  app.post('/api/incidents/:id/acknowledge', requireRole('operator'), change('acknowledge'));
  app.post('/api/incidents/:id/resolve', requireRole('operator'), change('resolve'));
  app.post('/incidents/:id/acknowledge', sameOrigin, requireRole('operator'), change('acknowledge'));
  app.post('/api/incidents/:id/notes', requireRole('operator'), async (req, res) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > 10_000) {
      problem(res, 400, 'invalid_note', 'body must be {"text": "..."}, 1 to 10 000 characters');
      return;
    }
    res.status(201).json(await incidents.note(String(req.params.id), (res.locals.caller as Caller).id, text));
  });

  app.get('/api/slos', requireRole('viewer'), async (req, res) => {
    if (!prometheus) {
      problem(res, 503, 'no_prometheus', 'the control plane was started without --prometheus; it cannot read the SLIs');
      return;
    }
    const hours = wholeNumber(req.query as Record<string, string | undefined>, 'history', 0, 0, MAX_HISTORY_HOURS);
    if (typeof hours !== 'number') problem(res, 400, 'invalid_query', hours.problem);
    else res.json(await sloStatus(catalog, prometheus, hours));
  });
  app.get('/api/response-times', requireRole('viewer'), async (req, res) => {
    const days = wholeNumber(req.query as Record<string, string | undefined>, 'days', 30, 1, MAX_RESPONSE_TIME_DAYS);
    if (typeof days !== 'number') problem(res, 400, 'invalid_query', days.problem);
    else res.json(await responseTimes(db, target, days, now()));
  });

  app.get('/api/cost', requireRole('viewer'), async (req, res) => {
    const days = wholeNumber(req.query as Record<string, string | undefined>, 'days', COST_TRAFFIC_DAYS, 1, MAX_COST_DAYS);
    if (typeof days !== 'number') {
      problem(res, 400, 'invalid_query', days.problem);
      return;
    }
    const report = await currentCost(catalog, prometheus, `${days}d`, days * DAY_MS);
    if (report) res.json(report);
    else problem(res, 404, 'not_found', `${catalog.source} has no cost section`);
  });

  app.post('/api/v1/reports', requireRole('operator'), async (req, res) => {
    const parsed = parseReport(req.body);
    if ('problem' in parsed) {
      problem(res, 400, 'invalid_report', `not a load-test or chaos report: ${parsed.problem}`);
      return;
    }
    const stored = await reports.store(parsed.report);
    metrics.reports.inc({ kind: stored.kind });
    for (const fault of parsed.report.faults ?? []) metrics.observe(await incidents.linkFault(fault.service, Date.parse(fault.started_at), `${stored.kind} report ${stored.id}`, FAULT_WINDOW_MS));
    res.status(201).json(stored);
  });
  app.get('/api/reports', requireRole('viewer'), async (_req, res) => {
    res.json({ reports: await reports.list() });
  });
  app.get('/api/reports/:id', requireRole('viewer'), async (req, res) => {
    const report = await reports.get(String(req.params.id));
    if (report === undefined) problem(res, 404, 'not_found', `no report ${String(req.params.id)}`);
    else res.json(report);
  });

  app.get('/', requireRole('viewer'), async (_req, res) => {
    const [slos, open, times, recent, cost] = await Promise.all([
      prometheus ? sloStatus(catalog, prometheus, 24).catch((error: unknown) => ({ error: (error as Error).message })) : Promise.resolve({ error: 'started without --prometheus' }),
      incidents.list({ status: 'unresolved' }),
      responseTimes(db, target, 30, now()),
      reports.list(10),
      // Cost per request needs Prometheus; without it, or when it fails, the page shows the cost alone.
      currentCost(catalog, prometheus, `${COST_TRAFFIC_DAYS}d`, COST_TRAFFIC_DAYS * DAY_MS).catch(() => staticCost),
    ]);
    res.type('html').send(renderStatusPage({ caller: res.locals.caller as Caller, slos, incidents: open, responseTimes: times, reports: recent, cost, now: now() }));
  });

  app.use((_req: Request, res: Response) => {
    problem(res, 404, 'not_found', 'no such endpoint; see docs/control-plane.md');
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof IncidentNotFoundError) problem(res, 404, 'not_found', error.message);
    else if (error instanceof IncidentStateError) problem(res, 409, 'conflict', error.message);
    else if ((error as { type?: string }).type === 'entity.parse.failed') problem(res, 400, 'invalid_json', 'the body is not valid JSON');
    else if ((error as { type?: string }).type === 'entity.too.large') problem(res, 413, 'too_large', 'the body is too large');
    else {
      log.error({ err: error }, 'request failed');
      problem(res, 500, 'internal_error', 'the control plane failed to answer; see its log');
    }
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    incidents,
    async stop(deadlineMs = 10_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      server.closeIdleConnections();
      if (inFlight > 0) await Promise.race([new Promise<void>((resolve) => settled.push(resolve)), new Promise((resolve) => setTimeout(resolve, deadlineMs))]);
      await ingest.idle();
      server.closeAllConnections();
      await closed;
      await writer.close();
      await db.close();
    },
  };
}

function problem(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

function jsonBody(req: Request): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as unknown;
  } catch {
    return undefined;
  }
}

/** Forms change state only when they come from this site: the Origin (or Referer) must be ours. */
function sameOrigin(req: Request, res: Response, next: NextFunction): void {
  const origin = req.headers.origin ?? req.headers.referer;
  const host = req.headers.host;
  if (origin !== undefined && host !== undefined && new URL(origin).host === host) {
    next();
    return;
  }
  problem(res, 403, 'cross_origin', 'a form may only be sent from the control plane\'s own pages');
}

function cookies(header: string | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) found[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return found;
}

const STATUSES = new Set<string>(['open', 'acknowledged', 'resolved', 'unresolved']);
const SEVERITIES = new Set<string>(['critical', 'warning']);

/** ?status=open|acknowledged|resolved|unresolved&service=&severity=critical|warning&since=24h or an RFC 3339 time&limit=. */
function incidentFilter(query: Readonly<Record<string, string | undefined>>, now: () => number): IncidentFilter | { problem: string } {
  if (query.status !== undefined && !STATUSES.has(query.status)) return { problem: `status must be one of ${[...STATUSES].join(', ')}, got "${query.status}"` };
  if (query.severity !== undefined && !SEVERITIES.has(query.severity)) return { problem: `severity must be one of ${[...SEVERITIES].join(', ')}, got "${query.severity}"` };
  let since: number | undefined;
  if (query.since !== undefined) {
    const ago = parseDuration(query.since);
    since = ago === undefined ? Date.parse(query.since) : now() - ago;
    if (!Number.isFinite(since)) return { problem: `since must be a duration such as 24h or an RFC 3339 time, got "${query.since}"` };
  }
  const limit = wholeNumber(query, 'limit', 200, 1, 1000);
  if (typeof limit !== 'number') return limit;
  return { status: query.status as IncidentStatus | 'unresolved' | undefined, service: query.service, severity: query.severity as Severity | undefined, since, limit };
}

/** A whole-number query parameter within [min, max], `fallback` when absent. */
function wholeNumber(query: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number | { problem: string } {
  const value = query[name] === undefined ? fallback : Number(query[name]);
  return Number.isInteger(value) && value >= min && value <= max ? value : { problem: `${name} must be a whole number from ${min} to ${max}, got "${query[name] ?? ''}"` };
}
