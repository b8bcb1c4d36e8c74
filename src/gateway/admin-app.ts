import express, { type NextFunction, type Request, type Response } from 'express';
import type { Catalog } from '../catalog/index.js';
import type { GatewayMetrics } from './metrics.js';
import type { Upstream } from './upstream.js';
import type { UpstreamHealthProbe } from './upstream-health.js';

export interface AdminDeps {
  readonly catalog: Catalog;
  readonly metrics: GatewayMetrics;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly health: UpstreamHealthProbe;
  readonly isDraining: () => boolean;
}

/** The gateway's own endpoints (not proxied): liveness, readiness, aggregated health, metrics. */
export function gatewayAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      deps.metrics.serverDuration.series('gateway', route, req.method, String(res.statusCode)).observe((performance.now() - started) / 1000);
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });

  app.get('/readyz', async (req, res) => {
    const upstreams = await upstreamStates(deps);
    const draining = deps.isDraining();
    const strict = req.query.strict === '1';
    const usable = upstreams.filter((u) => u.healthy && u.circuit !== 'open');
    const ready = !draining && (strict ? usable.length === upstreams.length : usable.length > 0);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : draining ? 'draining' : 'not_ready', upstreams });
  });

  app.get('/api/health', async (_req, res) => {
    const upstreams = await upstreamStates(deps);
    const tierOneDown = upstreams.filter((u) => !u.healthy && u.tier === 1).map((u) => u.service);
    const degraded = upstreams.some((u) => !u.healthy);
    res.status(tierOneDown.length > 0 ? 503 : 200).json({ status: tierOneDown.length > 0 ? 'unhealthy' : degraded ? 'degraded' : 'healthy', upstreams });
  });

  app.get('/metrics', async (req, res) => {
    const { contentType, body } = await deps.metrics.render(req.headers.accept);
    res.setHeader('content-type', contentType);
    res.send(body);
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}; API routes: ${deps.catalog.services.flatMap((s) => s.routes.map((r) => r.prefix)).join(', ')}` });
  });
  app.use((error: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status && error.status < 500 ? error.status : 500).json({ error: 'internal', message: 'the gateway failed to handle this request' });
  });
  return app;
}

async function upstreamStates(deps: AdminDeps) {
  const probes = await deps.health.check();
  return probes.map((probe) => {
    const upstream = deps.upstreams.get(probe.service);
    return { ...probe, tier: upstream?.service.tier, circuit: upstream?.circuitState ?? 'closed' };
  });
}
