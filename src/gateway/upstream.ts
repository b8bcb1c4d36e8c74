import { Agent, request, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
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
import type { GatewayMetrics, CircuitStateName } from './metrics.js';
import { RetryBudget } from './retry-budget.js';
import { ClientAbortedError, UpstreamTimeoutError, isConnectionFailure } from './upstream-errors.js';

export interface UpstreamExchange {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
}

export interface UpstreamCall {
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** The request body to stream upstream; absent for requests without one (those may be retried). */
  readonly body?: Readable | undefined;
  /** Called with each attempt's request, so the caller can cancel it if its client goes away. */
  readonly onAttempt: (request: ClientRequest) => void;
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
 * One upstream service: a pooled keep-alive agent, a concurrency limit, a circuit breaker, and
 * retries for idempotent requests without a body, within a retry budget. Policies come from
 * cockatiel; this class only wires them to node:http.
 */
export class Upstream {
  readonly breaker: CircuitBreakerPolicy;
  private readonly agent: Agent;
  private readonly budget: RetryBudget;
  private readonly plain: IPolicy;
  private readonly retrying: IPolicy;

  constructor(
    readonly service: Service,
    metrics: GatewayMetrics,
  ) {
    const { resilience } = service;
    this.agent = new Agent({ keepAlive: true, maxSockets: resilience.max_concurrency, maxFreeSockets: 256, scheduling: 'lifo' });
    this.budget = new RetryBudget(resilience.retries.budget_ratio, resilience.retries.min_retries_per_second);
    const { breaker: b } = resilience;
    this.breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof ClientAbortedError)).orWhenResult((exchange) => ((exchange as UpstreamExchange).response.statusCode ?? 0) >= 500),
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
    this.agent.destroy();
  }

  private attempt(call: UpstreamCall): Promise<UpstreamExchange> {
    const timeoutMs = this.service.resilience.timeout;
    return new Promise((resolve, reject) => {
      const upstreamRequest = request(
        {
          agent: this.agent,
          host: this.service.upstreamHost,
          port: this.service.upstreamPort,
          method: call.method,
          path: call.path,
          headers: call.headers,
          timeout: timeoutMs,
        },
        (response) => {
          resolve({ request: upstreamRequest, response });
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.on('timeout', () => upstreamRequest.destroy(new UpstreamTimeoutError(timeoutMs)));
      call.onAttempt(upstreamRequest);
      // pipeline, not pipe: a failing body (client gone, size limit) must fail the upstream call too.
      // The listener comes first so that the call fails with the body's own error (say, too large).
      if (call.body) {
        call.body.once('error', (error) => upstreamRequest.destroy(error));
        pipeline(call.body, upstreamRequest, () => undefined);
      } else {
        upstreamRequest.end();
      }
    });
  }
}

export { BrokenCircuitError, BulkheadRejectedError };
