import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  handleWhen,
  noJitterGenerator,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IBreaker,
  type IPolicy,
} from 'cockatiel';
import type { Service } from '../catalog/index.js';
import { BodyTooLargeError } from './body-limit.js';
import type { HeaderMap } from './headers.js';
import type { GatewayMetrics, CircuitStateName } from './metrics.js';
import { RetryBudget } from './retry-budget.js';
import { ClientAbortedError, UpstreamTimeoutError, isConnectionFailure } from './upstream-errors.js';

/** An upstream answer whose headers have arrived; its body is still to be streamed. */
export interface UpstreamExchange {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

export interface UpstreamCall {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly headers: Readonly<HeaderMap>;
  /** The request body to stream upstream; absent for requests without one (those may be retried). */
  readonly body?: Readable | undefined;
  /** Emitting 'abort' cancels the call (the client went away): it then fails with ClientAbortedError. */
  readonly cancel: EventEmitter;
}

const CIRCUIT_STATE_NAMES: Readonly<Record<CircuitState, CircuitStateName>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Opens when either rule says so: N consecutive failures, or a failure ratio over recent calls. */
class ConsecutiveOrRatioBreaker implements IBreaker {
  constructor(
    private readonly consecutive: ConsecutiveBreaker,
    private readonly ratio: CountBreaker,
  ) {}

  get state(): unknown {
    return { consecutive: this.consecutive.state, ratio: this.ratio.state };
  }

  set state(value: unknown) {
    const { consecutive, ratio } = value as { consecutive: unknown; ratio: unknown };
    this.consecutive.state = consecutive as number;
    this.ratio.state = ratio;
  }

  success(state: CircuitState): void {
    this.consecutive.success();
    this.ratio.success(state);
  }

  failure(state: CircuitState): boolean {
    const byCount = this.consecutive.failure();
    const byRatio = this.ratio.failure(state);
    return byCount || byRatio;
  }
}

/**
 * One upstream service: a pool of keep-alive connections (undici, which costs a proxy markedly
 * less CPU per request than node:http's client), a concurrency limit, a circuit breaker, and
 * retries for idempotent requests without a body, within a retry budget. Policies come from
 * cockatiel; this class only wires them to the pool.
 */
export class Upstream {
  readonly breaker: CircuitBreakerPolicy;
  private readonly pool: Pool;
  private readonly budget: RetryBudget;
  private readonly plain: IPolicy;
  private readonly retrying: IPolicy;

  constructor(
    readonly service: Service,
    metrics: GatewayMetrics,
  ) {
    const { resilience } = service;
    this.pool = new Pool(service.upstream, { connections: resilience.max_concurrency, pipelining: 1 });
    this.budget = new RetryBudget(resilience.retries.budget_ratio, resilience.retries.min_retries_per_second);
    const { breaker: b } = resilience;
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof ClientAbortedError || error instanceof BodyTooLargeError)).orWhenResult((exchange) => (exchange as UpstreamExchange).statusCode >= 500),
      {
        halfOpenAfter: new ExponentialBackoff({ initialDelay: b.half_open_after, maxDelay: b.max_half_open_after, generator: noJitterGenerator }),
        breaker: new ConsecutiveOrRatioBreaker(
          new ConsecutiveBreaker(b.consecutive_failures),
          new CountBreaker({ threshold: b.failure_ratio, size: b.sample_size, minimumNumberOfCalls: b.min_requests }),
        ),
      },
    );
    metrics.setCircuitState(service.id, 'closed');
    this.breaker.onStateChange((state) => {
      metrics.setCircuitState(service.id, CIRCUIT_STATE_NAMES[state]);
    });
    const limit = bulkhead(resilience.max_concurrency, 0);
    const retries = retry(
      handleWhen((error) => isConnectionFailure(error) && this.budget.tryRetry()),
      { maxAttempts: resilience.retries.max_attempts - 1 },
    );
    retries.onRetry(() => {
      metrics.upstreamRetries.inc({ service: service.id });
    });
    this.plain = wrap(limit, this.breaker);
    this.retrying = wrap(retries, limit, this.breaker);
  }

  get circuitState(): CircuitStateName {
    return CIRCUIT_STATE_NAMES[this.breaker.state];
  }

  /** Sends the request; resolves when response headers arrive. */
  async send(call: UpstreamCall): Promise<UpstreamExchange> {
    // cockatiel queues callers behind the half-open probe; a gateway should fail them fast instead.
    if (this.breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
    this.budget.recordRequest();
    const policy = call.body === undefined && IDEMPOTENT.has(call.method) ? this.retrying : this.plain;
    return policy.execute(() => this.attempt(call));
  }

  close(): void {
    void this.pool.destroy();
  }

  private async attempt(call: UpstreamCall): Promise<UpstreamExchange> {
    const timeoutMs = this.service.resilience.timeout;
    try {
      const { statusCode, headers, body } = await this.pool.request({
        method: call.method,
        path: call.path,
        headers: call.headers,
        body: call.body ?? null,
        signal: call.cancel,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return { statusCode, headers, body };
    } catch (error) {
      throw upstreamError(error as NodeJS.ErrnoException, timeoutMs);
    }
  }
}

/** undici's errors in the gateway's terms: the breaker and the answer depend on which it was. */
function upstreamError(error: NodeJS.ErrnoException, timeoutMs: number): Error {
  if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_CONNECT_TIMEOUT') return new UpstreamTimeoutError(timeoutMs);
  if (error.code === 'UND_ERR_ABORTED') return new ClientAbortedError('client closed the connection');
  return error;
}

export { BrokenCircuitError, BulkheadRejectedError };
