import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { GatewaySpec } from '../catalog/index.js';
import type { Logger } from '../telemetry/logger.js';
import { injectTraceContext } from '../telemetry/trace-context-headers.js';
import { AuthFailure, type Principal } from './auth/principal.js';
import type { Authenticator } from './auth/authenticator.js';
import { BodyLimit, BodyTooLargeError } from './body-limit.js';
import { appendForwardedFor, upstreamRequestHeaders, withoutHopByHop } from './headers.js';
import type { GatewayMetrics } from './metrics.js';
import { rateLimit, type RateDecision, type RateLimit, type TokenBucketLimiter } from './rate-limiter.js';
import { sendJsonError } from './respond.js';
import type { RouteMatch } from './route-table.js';
import { BrokenCircuitError, type Upstream, type UpstreamExchange } from './upstream.js';
import { CallCancellation } from './upstream-exchange.js';
import { ClientAbortedError, UpstreamSaturatedError, UpstreamTimeoutError } from './upstream-errors.js';

export type AccessLog = 'all' | 'errors' | 'off';

export interface ProxyHandlerDeps {
  readonly gateway: GatewaySpec;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly authenticator: Authenticator;
  readonly limiter: TokenBucketLimiter;
  readonly metrics: GatewayMetrics;
  readonly tracer: Tracer;
  readonly log: Logger;
  readonly accessLog: AccessLog;
  /** Called once per proxied request, when its response closes (the server's in-flight count). */
  readonly requestClosed: () => void;
}

/** Status recorded when the client goes away before the response is complete (nginx's convention). */
const CLIENT_CLOSED = 499;

/**
 * The proxied hot path. Deliberately plain node:http: one server span and one client span made
 * by hand, a precompiled route, bound limits, and a pooled keep-alive upstream agent.
 */
export class ProxyHandler {
  private readonly limits: Readonly<Record<'default' | 'strict' | 'auth_failures', RateLimit>>;

  constructor(private readonly deps: ProxyHandlerDeps) {
    const { rate_limits } = deps.gateway;
    const fromCatalog = ({ requests, per, burst }: GatewaySpec['rate_limits']['default']): RateLimit => rateLimit(requests, per, burst);
    this.limits = { default: fromCatalog(rate_limits.default), strict: fromCatalog(rate_limits.strict), auth_failures: fromCatalog(rate_limits.auth_failures) };
  }

  async handle(req: IncomingMessage, res: ServerResponse, match: RouteMatch): Promise<void> {
    const { metrics, tracer } = this.deps;
    const started = performance.now();
    const method = req.method ?? 'GET';
    // Read once: remoteAddress is a getter through the socket, and the hot path wants it up to four times.
    const clientAddress = req.socket.remoteAddress ?? '';
    const serviceId = match.service.id;
    // Without a traceparent there is nothing to extract; with a sampled-out span there is nothing
    // to annotate: both shortcuts keep tracing cheap on the hot path at low sampling ratios.
    const parent = req.headers.traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(`${method} ${match.template}`, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      span.setAttributes({
        'http.request.method': method,
        'http.route': match.template,
        'url.path': req.url ?? '',
        'url.scheme': 'http',
        'client.address': clientAddress,
        'user_agent.original': req.headers['user-agent'] ?? '',
        'pyairtable.service': serviceId,
      });
    }
    let recorded = false;
    const record = (status: number, error?: string): void => {
      if (recorded) return;
      recorded = true;
      const seconds = (performance.now() - started) / 1000;
      const series = metrics.serverDuration.series(serviceId, match.template, method, String(status));
      if (span.isRecording()) {
        const { traceId, spanId } = span.spanContext();
        series.observe(seconds, { trace_id: traceId, span_id: spanId });
        span.setAttribute('http.response.status_code', status);
        if (status >= 500 || error) span.setStatus({ code: SpanStatusCode.ERROR, ...(error ? { message: error } : {}) });
      } else {
        series.observe(seconds);
      }
      span.end();
      this.logAccess(req, status, seconds, span, serviceId, error);
    };
    // Cancelling it aborts the upstream call of a client that went away, and stops a body in flight.
    const cancellation = new CallCancellation();
    // The request's one 'close' listener ('close' follows 'finish' within a tick). Answers that
    // fail were recorded with their error where they were sent, which makes record() a no-op here.
    res.on('close', () => {
      this.deps.requestClosed();
      if (res.writableFinished) {
        record(res.statusCode);
        return;
      }
      // Recorded first: cancelling fails the exchange at once, which would record it otherwise.
      record(CLIENT_CLOSED, 'client_closed');
      cancellation.cancel();
    });

    let principal: Principal | undefined;
    if (match.route.auth === 'required') {
      // A client that keeps failing is refused before its credentials are checked: guessing
      // stops, and a flood of bad tokens costs no signature verification.
      const failures = `auth_failures|ip:${clientAddress || 'unknown'}`;
      const blocked = this.deps.limiter.peek(failures, this.limits.auth_failures);
      if (!blocked.allowed) {
        metrics.rateLimited.inc({ service: serviceId, policy: 'auth_failures' });
        sendJsonError(res, 429, 'too_many_auth_failures', `too many failed authentications from this client; retry after ${blocked.retryAfterSeconds} s`, {}, { 'retry-after': String(blocked.retryAfterSeconds) });
        record(429, 'too_many_auth_failures');
        return;
      }
      const settled = this.deps.authenticator.authenticate(req.headers);
      const outcome = settled instanceof Promise ? await settled : settled;
      if (outcome instanceof AuthFailure) {
        this.deps.limiter.take(failures, this.limits.auth_failures);
        metrics.authFailures.inc({ service: serviceId, reason: outcome.reason });
        res.setHeader('www-authenticate', `Bearer realm="pyairtable", error="invalid_token"`);
        sendJsonError(res, 401, 'unauthorized', outcome.message, { reason: outcome.reason });
        record(401, outcome.reason);
        return;
      }
      principal = outcome;
    }

    const rate = this.admit(clientAddress, match, principal);
    if (!rate.allowed) {
      this.deps.metrics.rateLimited.inc({ service: serviceId, policy: match.route.rate_limit });
      sendJsonError(res, 429, 'rate_limited', `rate limit of the "${match.route.rate_limit}" policy exceeded; retry after ${rate.retryAfterSeconds} s`, {}, { ...rateLimitHeaders(rate), 'retry-after': String(rate.retryAfterSeconds) });
      record(429, 'rate_limited');
      return;
    }

    const body = this.requestBody(req);
    if (body instanceof BodyTooLargeError) {
      sendJsonError(res, 413, 'payload_too_large', body.message, {}, rateLimitHeaders(rate));
      record(413, 'payload_too_large');
      return;
    }

    const upstream = this.deps.upstreams.get(serviceId);
    if (!upstream) throw new Error(`no upstream for ${serviceId}`);
    // A sampled-out trace is never looked at: the server span's context is all upstream needs.
    const clientSpan = span.isRecording() ? tracer.startSpan(method, { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, span)) : span;
    if (clientSpan !== span) {
      clientSpan.setAttributes({ 'http.request.method': method, 'server.address': match.service.upstreamHost, 'server.port': match.service.upstreamPort, 'url.full': `${match.service.upstream}${match.upstreamPath}` });
    }
    const headers = upstreamRequestHeaders(req.headers);
    headers['x-forwarded-for'] = appendForwardedFor(req.headers['x-forwarded-for'], clientAddress);
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    if (!headers['x-request-id']) headers['x-request-id'] = randomUUID();
    if (principal) {
      headers['x-authenticated-subject'] = principal.id;
      headers['x-authenticated-by'] = principal.kind;
      if (principal.tenant) headers['x-authenticated-tenant'] = principal.tenant;
    }
    injectTraceContext(clientSpan.spanContext(), headers);

    const clientStarted = performance.now();
    let exchange: UpstreamExchange;
    try {
      exchange = await upstream.send({ method, path: match.upstreamPath, headers, body, cancellation });
    } catch (error) {
      const failure = describeFailure(error as Error, serviceId);
      if (failure.reason) metrics.upstreamRejected.inc({ service: serviceId, reason: failure.reason });
      metrics.clientDuration.series(serviceId, method, failure.status === CLIENT_CLOSED ? String(CLIENT_CLOSED) : 'error').observe((performance.now() - clientStarted) / 1000);
      if (clientSpan !== span) {
        clientSpan.setStatus({ code: SpanStatusCode.ERROR, message: failure.code });
        clientSpan.setAttribute('error.type', failure.code);
        clientSpan.end();
      }
      if (failure.status === CLIENT_CLOSED) return;
      if (error instanceof BodyTooLargeError) {
        // Discard the rest of the upload so the client can read the answer, then close.
        req.unpipe();
        req.resume();
        res.setHeader('connection', 'close');
      }
      const headers = rateLimitHeaders(rate);
      if (failure.retryAfterSeconds) headers['retry-after'] = String(failure.retryAfterSeconds);
      sendJsonError(res, failure.status, failure.code, failure.message, { upstream: serviceId }, headers);
      record(failure.status, failure.code);
      return;
    }

    const status = exchange.statusCode;
    metrics.clientDuration.series(serviceId, method, String(status)).observe((performance.now() - clientStarted) / 1000);
    if (clientSpan !== span) {
      clientSpan.setAttribute('http.response.status_code', status);
      if (status >= 500) clientSpan.setStatus({ code: SpanStatusCode.ERROR });
      clientSpan.end();
    }

    if (res.destroyed) {
      cancellation.cancel();
      return;
    }
    res.writeHead(status, withRateLimitHeaders(withoutHopByHop(exchange.headers), rate));
    exchange.pipeTo(res, () => {
      res.destroy();
      record(status, 'upstream_body_failed');
    });
  }

  /** Takes a token from the caller's bucket under the route's policy (per API key, tenant, or IP). */
  private admit(clientAddress: string, match: RouteMatch, principal: Principal | undefined): RateDecision {
    const policy = match.route.rate_limit;
    const identity = principal ? `${principal.kind}:${principal.tenant ?? principal.id}` : `ip:${clientAddress || 'unknown'}`;
    const limit = policy === 'default' && principal?.rateLimitPerMinute ? rateLimit(principal.rateLimitPerMinute, 60_000) : this.limits[policy];
    return this.deps.limiter.take(`${policy}|${identity}`, limit);
  }

  private requestBody(req: IncomingMessage): IncomingMessage | BodyLimit | BodyTooLargeError | undefined {
    const limit = this.deps.gateway.limits.max_body_bytes;
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (length > limit) return new BodyTooLargeError(limit);
      return length > 0 ? req : undefined;
    }
    if (req.headers['transfer-encoding'] === undefined) return undefined;
    const counted = new BodyLimit(limit);
    req.pipe(counted);
    return counted;
  }

  private logAccess(req: IncomingMessage, status: number, seconds: number, span: Span, service: string, error: string | undefined): void {
    const mode = this.deps.accessLog;
    if (mode === 'off' || (mode === 'errors' && status < 500 && !error)) return;
    const entry = {
      method: req.method,
      path: req.url,
      status,
      duration_ms: Math.round(seconds * 100_000) / 100,
      upstream: service,
      trace_id: span.spanContext().traceId,
      ...(error ? { error } : {}),
    };
    if (status >= 500) this.deps.log.warn(entry, 'request failed');
    else this.deps.log.info(entry, 'request');
  }
}

/** Adds X-RateLimit-* to `headers` in place (the hot path builds no extra object) and returns it. */
function withRateLimitHeaders<T extends Record<string, unknown>>(headers: T, decision: RateDecision): T {
  const target = headers as Record<string, unknown>;
  target['x-ratelimit-limit'] = String(decision.limit);
  target['x-ratelimit-remaining'] = String(decision.remaining);
  target['x-ratelimit-reset'] = String(decision.resetSeconds);
  return headers;
}

function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return withRateLimitHeaders<Record<string, string>>({}, decision);
}

interface Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
}

function describeFailure(error: Error, service: string): Failure {
  if (error instanceof BrokenCircuitError) {
    return { status: 503, code: 'circuit_open', message: `${service} is failing; its circuit breaker is open`, reason: 'circuit_open', retryAfterSeconds: 5 };
  }
  if (error instanceof UpstreamSaturatedError) {
    return { status: 503, code: 'upstream_saturated', message: `${service} has too many requests in flight`, reason: 'concurrency_limit', retryAfterSeconds: 1 };
  }
  if (error instanceof UpstreamTimeoutError) return { status: 504, code: 'upstream_timeout', message: `${service} did not answer within ${error.timeoutMs} ms` };
  if (error instanceof BodyTooLargeError) return { status: 413, code: 'payload_too_large', message: error.message };
  if (error instanceof ClientAbortedError) return { status: CLIENT_CLOSED, code: 'client_closed', message: error.message };
  const code = (error as NodeJS.ErrnoException).code;
  return { status: 502, code: 'upstream_unavailable', message: `${service} could not be reached${code ? ` (${code})` : ''}` };
}
