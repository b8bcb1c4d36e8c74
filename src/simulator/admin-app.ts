import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { faultSchema } from './faults.js';
import type { SimulatorMetrics } from './metrics.js';
import type { SimulatedService } from './service-server.js';

/**
 * The fault API and the simulator's own /metrics. Tests, load tests and chaos experiments use it:
 *   PUT    /faults/{service}   {"latency_ms": 150, "error_ratio": 0.01, "error_status": 503, "hang": false, "refuse_connections": false}
 *   DELETE /faults/{service}   restore one service;  DELETE /faults  restore all
 *   GET    /services/{service}/requests?limit=N   what the service received (headers, traceparent)
 */
export function simulatorAdminApp(services: ReadonlyMap<string, SimulatedService>, metrics: SimulatorMetrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));

  const lookup = (req: Request, res: Response): SimulatedService | undefined => {
    const id = String(req.params.service);
    const found = services.get(id);
    if (!found) res.status(404).json({ error: 'unknown_service', message: `no simulated service "${id}"; known: ${[...services.keys()].join(', ')}` });
    return found;
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/services', (_req, res) => {
    res.json({ services: [...services.values()].map((s) => ({ id: s.service.id, upstream: s.service.upstream, listening: s.listening, fault: s.currentFault })) });
  });
  app.get('/faults/:service', (req, res) => {
    const service = lookup(req, res);
    if (service) res.json({ service: service.service.id, fault: service.currentFault });
  });
  app.put('/faults/:service', async (req, res) => {
    const service = lookup(req, res);
    if (!service) return;
    const parsed = faultSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_fault', message: z.prettifyError(parsed.error) });
      return;
    }
    await service.setFault(parsed.data);
    res.json({ service: service.service.id, fault: service.currentFault });
  });
  app.delete('/faults/:service', async (req, res) => {
    const service = lookup(req, res);
    if (!service) return;
    await service.setFault(faultSchema.parse({}));
    res.json({ service: service.service.id, fault: service.currentFault });
  });
  app.delete('/faults', async (_req, res) => {
    await Promise.all([...services.values()].map((s) => s.setFault(faultSchema.parse({}))));
    res.json({ restored: [...services.keys()] });
  });
  app.get('/services/:service/requests', (req, res) => {
    const service = lookup(req, res);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    if (service) res.json({ service: service.service.id, requests: service.requests.recent(limit) });
  });
  app.delete('/services/:service/requests', (req, res) => {
    const service = lookup(req, res);
    if (!service) return;
    service.requests.clear();
    res.status(204).end();
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: 'see GET /services, PUT|DELETE /faults/{service}, GET /services/{service}/requests, GET /metrics' });
  });
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).json({ error: error.type ?? 'error', message: error.message });
  });
  return app;
}
