import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../catalog/index.js';
import type { Logger } from '../telemetry/logger.js';
import { endpointsFor } from './endpoints/index.js';
import { NO_FAULT, type Fault } from './faults.js';
import { logNormalSampler } from './latency.js';
import type { SimulatorMetrics } from './metrics.js';
import { RequestLog } from './request-log.js';
import type { Router, SimRequest, SimResponse } from './router.js';
import type { TokenIssuer } from './token-issuer.js';

const MAX_JSON_BYTES = 1024 * 1024;

class BadJsonError extends Error {}

/** One simulated service on the port of its upstream URL, with injectable faults. */
export class SimulatedService {
  readonly requests = new RequestLog();
  private fault: Fault = NO_FAULT;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly router: Router;
  private readonly latency: () => number;
  private releaseHung: () => void = () => undefined;
  private hung: Promise<void> = Promise.resolve();

  constructor(
    readonly service: Service,
    tokens: TokenIssuer,
    private readonly metrics: SimulatorMetrics,
    private readonly log: Logger,
  ) {
    this.router = endpointsFor({ service, tokens });
    const { median, p95 } = service.simulation.latency;
    this.latency = logNormalSampler({ medianMs: median, p95Ms: p95 });
  }

  get currentFault(): Fault {
    return this.fault;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.service.upstreamPort, this.service.upstreamHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async setFault(fault: Fault): Promise<void> {
    const wasHanging = this.fault.hang;
    this.fault = fault;
    if (fault.hang && !wasHanging) {
      this.hung = new Promise((resolve) => (this.releaseHung = resolve));
    } else if (!fault.hang && wasHanging) {
      this.releaseHung();
    }
    if (fault.refuse_connections) await this.stop();
    else await this.start();
    for (const name of ['latency', 'errors', 'hang', 'refuse_connections'] as const) {
      const active = { latency: fault.latency_ms > 0, errors: fault.error_ratio > 0, hang: fault.hang, refuse_connections: fault.refuse_connections }[name];
      this.metrics.faultActive.set({ service: this.service.id, fault: name }, active ? 1 : 0);
    }
    this.log.info({ simulated_service: this.service.id, fault }, 'fault set');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    this.requests.record(req.method ?? 'GET', req.url ?? '/', req.headers);
    let response: SimResponse;
    try {
      response = await this.respond(req, url);
    } catch (error) {
      response = error instanceof BadJsonError ? { status: 400, body: { error: 'bad_request', message: error.message } } : internalError(error, this.log);
    }
    if (res.destroyed) return;
    this.send(res, response);
    res.once('finish', () => {
      this.metrics.requests.inc({ service: this.service.id, http_response_status_code: String(response.status) });
      this.metrics.duration.observe({ service: this.service.id }, (performance.now() - started) / 1000);
    });
  }

  private async respond(req: IncomingMessage, url: URL): Promise<SimResponse> {
    if (url.pathname === '/health' || url.pathname === '/health/live') {
      return { status: 200, body: { status: 'ok', service: this.service.id } };
    }
    if (url.pathname === '/ready' || url.pathname === '/health/ready') {
      const ready = !this.fault.hang && this.fault.error_ratio < 1;
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'degraded', service: this.service.id } };
    }
    if (this.fault.hang) await this.hung;
    const delayMs = this.latency() + this.fault.latency_ms;
    if (delayMs > 0) await sleep(delayMs);
    if (this.fault.error_ratio > 0 && Math.random() < this.fault.error_ratio) {
      req.resume();
      return { status: this.fault.error_status, body: { error: 'injected_fault', service: this.service.id } };
    }
    const method = req.method ?? 'GET';
    const match = this.router.match(method, url.pathname);
    if (match === undefined) {
      req.resume();
      return { status: 404, body: { error: 'not_found', message: `${this.service.id} has no endpoint ${url.pathname}` } };
    }
    if (match === 'method-not-allowed') {
      req.resume();
      return { status: 405, body: { error: 'method_not_allowed', message: `${method} is not allowed on ${url.pathname}` } };
    }
    const request: SimRequest = { method, path: url.pathname, query: url.searchParams, params: match.params, headers: req.headers, raw: req, json: () => readJson(req) };
    return match.handler(request);
  }

  private send(res: ServerResponse, response: SimResponse): void {
    if ('stream' in response) {
      res.writeHead(response.status, { ...response.headers, 'x-simulated-service': this.service.id });
      void pipeStream(response.stream, res);
      return;
    }
    const payload = JSON.stringify(response.body);
    res.writeHead(response.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-simulated-service': this.service.id,
      ...response.headers,
    });
    res.end(payload);
  }
}

async function pipeStream(stream: AsyncIterable<string | Uint8Array>, res: ServerResponse): Promise<void> {
  try {
    for await (const chunk of stream) {
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch {
    res.destroy();
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new BadJsonError(`JSON body is larger than ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadJsonError('body is not valid JSON');
  }
}

function internalError(error: unknown, log: Logger): SimResponse {
  log.error({ err: error }, 'simulated handler failed');
  return { status: 500, body: { error: 'internal', message: 'simulated handler failed' } };
}
