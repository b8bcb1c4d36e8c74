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
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IBreaker,
  type RetryPolicy,
} from 'cockatiel';
import type { Service } from '../catalog/index.js';
import { BodyTooLargeError } from './body-limit.js';
import type { HeaderMap } from './headers.js';
import type { GatewayMetrics, CircuitStateName } from './metrics.js';
import { RetryBudget } from './retry-budget.js';
import { UpstreamExchange, type CallCancellation } from './upstream-exchange.js';
import { ClientAbortedError, UpstreamTimeoutError, isConnectionFailure } from './upstream-errors.js';

export interface UpstreamCall {
  readonly method: Dispatcher.HttpMethod;
  readonly path: string;
  readonly headers: Readonly<HeaderMap>;
  /** The request body to stream upstream; absent for requests without one (those may be retried). */
  readonly body?: Readable | undefined;
  /** Cancelling it (the client went away) aborts the call: it then fails with ClientAbortedError. */
  readonly cancellation: CallCancellation;
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
  private readonly limit: BulkheadPolicy;
  private readonly retries: RetryPolicy | undefined;
  private readonly countRetry: () => void;

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
    this.limit = bulkhead(resilience.max_concurrency, 0);
    this.countRetry = () => {
      metrics.upstreamRetries.inc({ service: service.id });
    };
    // The first retry is decided in send(); this policy runs the ones after it, if any.
    const retriesAfterFirst = resilience.retries.max_attempts - 2;
    if (retriesAfterFirst >= 0) {
      this.retries = retry(handleWhen((error) => this.mayRetry(error)), { maxAttempts: retriesAfterFirst });
      this.retries.onRetry(this.countRetry);
    }
  }

  get circuitState(): CircuitStateName {
    return CIRCUIT_STATE_NAMES[this.breaker.state];
  }

  /**
   * Sends the request; resolves when response headers arrive. The first attempt goes through
   * the concurrency limit and the breaker only: the retry policy is entered after a retryable
   * failure, so the common successful call pays for no retry machinery.
   */
  async send(call: UpstreamCall): Promise<UpstreamExchange> {
    // cockatiel queues callers behind the half-open probe; a gateway should fail them fast instead.
    if (this.breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
    this.budget.recordRequest();
    try {
      return await this.guarded(call);
    } catch (error) {
      const retries = this.retries;
      if (retries === undefined || call.body !== undefined || !IDEMPOTENT.has(call.method) || !this.mayRetry(error as Error)) throw error;
      this.countRetry();
      return retries.execute(() => this.guarded(call));
    }
  }

  close(): void {
    void this.pool.destroy();
  }

  private guarded(call: UpstreamCall): Promise<UpstreamExchange> {
    return this.limit.execute(() => this.breaker.execute(() => this.attempt(call)));
  }

  private mayRetry(error: Error): boolean {
    return isConnectionFailure(error) && this.budget.tryRetry();
  }

  /** One try: resolves when the response head arrives; the exchange then streams the body. */
  private attempt(call: UpstreamCall): Promise<UpstreamExchange> {
    const timeoutMs = this.service.resilience.timeout;
    return new Promise((resolve, reject) => {
      const exchange = new UpstreamExchange(resolve, (error) => { reject(upstreamError(error, timeoutMs)); }, call.cancellation);
      this.pool.dispatch({ method: call.method, path: call.path, headers: call.headers, body: call.body ?? null, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, exchange);
    });
  }
}

/** undici's errors in the gateway's terms: the breaker and the answer depend on which it was. */
function upstreamError(error: NodeJS.ErrnoException, timeoutMs: number): Error {
  if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_CONNECT_TIMEOUT') return new UpstreamTimeoutError(timeoutMs);
  if (error.code === 'UND_ERR_ABORTED') return new ClientAbortedError('client closed the connection');
  return error;
}

export { BrokenCircuitError, BulkheadRejectedError, UpstreamExchange };
