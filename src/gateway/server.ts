import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tracer } from '@opentelemetry/api';
import { loadOrCreateSecrets } from '../state/secrets.js';
import type { Logger } from '../telemetry/logger.js';
import { noSpansDropped, type SpansDropped } from '../telemetry/span-drops.js';
import { gatewayAdminApp } from './admin-app.js';
import { ApiKeyStore } from './auth/api-keys.js';
import { Authenticator } from './auth/authenticator.js';
import { AUTH_FAILURE_REASONS } from './auth/principal.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import type { GatewayConfig } from './config.js';
import { GatewayMetrics } from './metrics.js';
import { ProxyHandler } from './proxy.js';
import { TokenBucketLimiter } from './rate-limiter.js';
import { parseRequestTarget } from './request-target.js';
import { sendJsonError } from './respond.js';
import { RouteTable } from './route-table.js';
import { Upstream } from './upstream.js';
import { UpstreamHealthProbe } from './upstream-health.js';

export interface RunningGateway {
  readonly url: string;
  readonly metrics: GatewayMetrics;
  /** Stops accepting, lets in-flight requests finish (up to the drain deadline), then closes. */
  drain(): Promise<{ completed: boolean; abandoned: number }>;
}

/** Builds the gateway from its config and starts listening. */
export async function startGateway(config: GatewayConfig, tracer: Tracer, log: Logger, spansDropped: () => SpansDropped = noSpansDropped): Promise<RunningGateway> {
  const { catalog } = config;
  const secrets = await loadOrCreateSecrets(config.stateDir);
  let inFlight = 0;
  const metrics = new GatewayMetrics(catalog.histogramBuckets, () => inFlight, spansDropped);
  metrics.initialise(
    catalog.services.map((service) => service.id),
    AUTH_FAILURE_REASONS,
  );
  const upstreams = new Map(catalog.services.map((service) => [service.id, new Upstream(service, metrics)]));
  const jwt = catalog.gateway.auth.jwt;
  const authenticator = new Authenticator(
    new ApiKeyStore(secrets.apiKeys),
    new JwtVerifier({
      issuer: jwt.issuer,
      audience: jwt.audience,
      algorithms: jwt.algorithms,
      clockToleranceSeconds: jwt.clock_tolerance / 1000,
      hs256Secret: jwt.algorithms.includes('HS256') ? secrets.jwtHs256Secret : undefined,
      jwksUrl: config.jwksUrl,
    }),
  );
  const limiter = new TokenBucketLimiter();
  // One function for every request, not a closure per request.
  const requestClosed = (): void => {
    inFlight--;
  };
  const proxy = new ProxyHandler({ gateway: catalog.gateway, upstreams, authenticator, limiter, metrics, tracer, log, accessLog: config.accessLog, requestClosed });
  const routes = new RouteTable(catalog);
  let draining = false;
  const admin = gatewayAdminApp({ catalog, metrics, upstreams, health: new UpstreamHealthProbe(catalog.services), isDraining: () => draining });

  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    if (draining) res.setHeader('connection', 'close');
    const target = parseRequestTarget(req.url);
    if ('problem' in target) {
      res.on('close', requestClosed);
      sendJsonError(res, 400, 'bad_request', target.problem);
      return;
    }
    const match = routes.match(target.path, target.query);
    if (!match) {
      res.on('close', requestClosed);
      admin(req, res);
      return;
    }
    // The proxy's own 'close' listener calls requestClosed: one listener per proxied request.
    proxy.handle(req, res, match).catch((error: unknown) => {
      log.error({ err: error, path: target.path }, 'proxy failed unexpectedly');
      sendJsonError(res, 500, 'internal', 'the gateway failed to handle this request');
    });
  };

  const server = createServer(
    { maxHeaderSize: catalog.gateway.limits.max_header_bytes, keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 300_000 },
    dispatch,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    answerMalformed(error, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    metrics,
    drain: async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => { resolve(); }));
      const deadline = Date.now() + catalog.gateway.drain_timeout;
      while (inFlight > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        await sleep(25);
      }
      const abandoned = inFlight;
      server.closeAllConnections();
      await closed;
      limiter.close();
      for (const upstream of upstreams.values()) upstream.close();
      return { completed: abandoned === 0, abandoned };
    },
  };
}

/** Requests node:http cannot even parse still get a JSON answer, never a bare socket reset. */
function answerMalformed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({
    error: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request',
    message: status === 431 ? 'request headers are larger than the gateway accepts' : status === 408 ? 'request was not received in time' : 'request is not valid HTTP/1.1',
  });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
