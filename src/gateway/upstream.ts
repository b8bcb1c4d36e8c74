import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  noJitterGenerator,
  retry,
  type CircuitBreakerPolicy,
  type IBreaker,
  type RetryPolicy,
} from 'cockatiel';
import type { Service } from '../catalog/index.js';
import { BodyTooLargeError } from './body-limit.js';
import type { HeaderMap } from './headers.js';
import type { CircuitStateName } from '../catalog/conventions.js';
import type { GatewayMetrics } from './metrics.js';
import { RetryBudget } from './retry-budget.js';
import { UpstreamExchange, type CallCancellation } from './upstream-exchange.js';
import { ClientAbortedError, UpstreamSaturatedError, UpstreamTimeoutError, isConnectionFailure } from './upstream-errors.js';

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
 * retries for idempotent requests without a body, within a retry budget. The breaker and the
 * retry policy come from cockatiel. The concurrency limit is a counter of calls holding a
 * connection, released when the response body ends: cockatiel's bulkhead would release it at
 * the response head, while the body still holds the connection, and cost the hot path one more
 * async layer per call.
 */
export class Upstream {
  readonly breaker: CircuitBreakerPolicy;
  /** When the breaker opens: cockatiel's policy asks it after every call. */
  private readonly tripRule: ConsecutiveOrRatioBreaker;
  private readonly pool: Pool;
  private readonly budget: RetryBudget;
  private readonly maxConcurrency: number;
  private inFlight = 0;
  private readonly release = (): void => {
    this.inFlight--;
  };
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
    this.tripRule = new ConsecutiveOrRatioBreaker(
      new ConsecutiveBreaker(b.consecutive_failures),
      new CountBreaker({ threshold: b.failure_ratio, size: b.sample_size, minimumNumberOfCalls: b.min_requests }),
    );
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof ClientAbortedError || error instanceof BodyTooLargeError)).orWhenResult((exchange) => (exchange as UpstreamExchange).statusCode >= 500),
      {
        halfOpenAfter: new ExponentialBackoff({ initialDelay: b.half_open_after, maxDelay: b.max_half_open_after, generator: noJitterGenerator }),
        breaker: this.tripRule,
      },
    );
    metrics.setCircuitState(service.id, 'closed');
    this.breaker.onStateChange((state) => {
      metrics.setCircuitState(service.id, CIRCUIT_STATE_NAMES[state]);
    });
    this.maxConcurrency = resilience.max_concurrency;
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
  send(call: UpstreamCall): Promise<UpstreamExchange> {
    // cockatiel queues callers behind the half-open probe; a gateway should fail them fast instead.
    if (this.breaker.state === CircuitState.HalfOpen) return Promise.reject(new BrokenCircuitError());
    this.budget.recordRequest();
    const first = this.guarded(call);
    const retries = this.retries;
    if (retries === undefined || call.body !== undefined || !IDEMPOTENT.has(call.method)) return first;
    return first.catch((error: unknown) => {
      if (!this.mayRetry(error as Error)) throw error;
      this.countRetry();
      return retries.execute(() => this.guarded(call));
    });
  }

  close(): void {
    void this.pool.destroy();
  }

  private guarded(call: UpstreamCall): Promise<UpstreamExchange> {
    // Refused before the breaker sees it: a full upstream is busy, which says nothing of its health.
    if (this.inFlight >= this.maxConcurrency) return Promise.reject(new UpstreamSaturatedError(this.maxConcurrency));
    if (this.breaker.state !== CircuitState.Closed) return this.breaker.execute(() => this.attempt(call));
    // Closed, nearly always: the call runs outside cockatiel's execute(), whose two async layers
    // cost the proxy several percent of its CPU (docs/performance/methodology.md), and its outcome
    // is told to the breaker as execute() would: see closedSuccess and closedFailure.
    return this.attempt(call).then(this.closedSuccess, this.closedFailure);
  }

  /**
   * A success counts with the breaker's rule at once, as execute() counts it in the closed state;
   * a 5xx answer goes through execute(), whose result filter makes it a failure.
   */
  private readonly closedSuccess = (exchange: UpstreamExchange): UpstreamExchange | Promise<UpstreamExchange> => {
    if (exchange.statusCode >= 500) return this.throughBreaker(() => Promise.resolve(exchange));
    this.tripRule.success(CircuitState.Closed);
    return exchange;
  };

  /** A failure goes through execute(): its error filter decides whether it counts, and it may open the circuit. */
  private readonly closedFailure = (error: Error): Promise<UpstreamExchange> => this.throughBreaker(() => Promise.reject(error));

  private throughBreaker(outcome: () => Promise<UpstreamExchange>): Promise<UpstreamExchange> {
    // Opened by other calls meanwhile: execute() would refuse to run this one, whose outcome stands as it is.
    if (this.breaker.state !== CircuitState.Closed) return outcome();
    return this.breaker.execute(outcome);
  }

  private mayRetry(error: Error): boolean {
    return isConnectionFailure(error) && this.budget.tryRetry();
  }

  /** One try: resolves when the response head arrives; the exchange then streams the body. */
  private attempt(call: UpstreamCall): Promise<UpstreamExchange> {
    const timeoutMs = this.service.resilience.timeout;
    this.inFlight++;
    return new Promise((resolve, reject) => {
      const exchange = new UpstreamExchange(resolve, (error) => { reject(upstreamError(error, timeoutMs)); }, call.cancellation, this.release);
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

export { BrokenCircuitError, UpstreamExchange };
