import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { TrafficRequest } from '../catalog/model.js';
import { arrivalTimes } from './arrivals.js';
import type { ClientPool } from './clients.js';
import type { ArrivalScenario, LoadPlan, UsersScenario } from './plan.js';
import { Recorder, type Sample } from './recorder.js';
import { WeightedPicker, concreteRequest, type ConcreteRequest, type LoginUser, type Random } from './requests.js';

/** Who the run sends as: the API key for api_key requests, and the logged-in users for jwt ones. */
export interface Identities {
  readonly apiKey: string | undefined;
  readonly users: readonly LoginUser[];
  /** Access tokens of the first users, in the same order. */
  readonly tokens: readonly string[];
}

export interface EngineOptions {
  readonly target: URL;
  readonly plan: LoadPlan;
  readonly clients: ClientPool;
  readonly identities: Identities;
  /** Told every second; returns a reason to stop the run early (the gate's abort-on-fail), or nothing. */
  readonly everySecond?: (recorder: Recorder, elapsedMs: number) => string | undefined;
  /** Stops the run (Ctrl-C); requests in flight are cancelled. */
  readonly signal?: AbortSignal;
  readonly random?: Random;
}

export interface EngineResult {
  readonly recorder: Recorder;
  readonly startedAt: Date;
  readonly endedAt: Date;
  /** Why the run stopped before its plan's end, if it did. */
  readonly stoppedEarly: string | undefined;
}

/**
 * Runs a plan with a constant (or linearly ramping) arrival rate per scenario: an open model. An
 * arrival is sent when it is due whatever became of the ones before, so a slow system cannot slow
 * the load down (no coordinated omission); an arrival that finds its scenario's maxVUs requests in
 * flight is dropped and counted, as k6 does. Durations run from sending to the last byte of the
 * answer, as k6's http_req_duration; how late each request left is recorded as the engine's lag.
 */
export async function runPlan(options: EngineOptions): Promise<EngineResult> {
  const startedAt = new Date();
  const start = performance.now();
  const recorder = new Recorder(start);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let stoppedEarly: string | undefined;
  const interrupted = (): void => {
    stoppedEarly ??= 'interrupted';
  };
  options.signal?.addEventListener('abort', interrupted, { once: true });
  const ticker = setInterval(() => {
    const now = performance.now();
    recorder.roll(now);
    const reason = options.everySecond?.(recorder, now - start);
    if (reason !== undefined && stoppedEarly === undefined) {
      stoppedEarly = reason;
      stop.abort();
    }
  }, 1000);
  const run = new Run(options, recorder, signal);
  try {
    await Promise.all(options.plan.scenarios.map((scenario) => (scenario.kind === 'arrivals' ? run.arrivals(scenario, start) : run.users(scenario, start))));
  } finally {
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', interrupted);
    recorder.roll(performance.now() + 1000);
  }
  return { recorder, startedAt, endedAt: new Date(), stoppedEarly };
}

class Run {
  private readonly random: Random;

  constructor(
    private readonly options: EngineOptions,
    private readonly recorder: Recorder,
    private readonly signal: AbortSignal,
  ) {
    this.random = options.random ?? Math.random;
  }

  async arrivals(scenario: ArrivalScenario, start: number): Promise<void> {
    const picker = new WeightedPicker(scenario.requests);
    const inFlight = new Set<Promise<void>>();
    const due = arrivalTimes(scenario.startPerMinute, scenario.stages);
    for (let next = due.next(); !next.done && !this.signal.aborted; next = due.next()) {
      const wait = start + next.value - performance.now();
      if (wait > 1) await this.pause(wait);
      if (this.stopped()) break;
      if (inFlight.size >= scenario.maxVUs) {
        this.recorder.dropped++;
        continue;
      }
      const sent = this.send(scenario.service, picker.pick(this.random), undefined, start + next.value, scenario.timeoutMs);
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
    await Promise.all(inFlight);
  }

  async users(scenario: UsersScenario, start: number): Promise<void> {
    const picker = new WeightedPicker(scenario.requests);
    const end = start + scenario.durationMs;
    const user = async (index: number): Promise<void> => {
      await this.pause((scenario.rampUpMs * index) / scenario.users);
      const connection = this.options.clients.single(index);
      while (!this.signal.aborted && performance.now() < end) {
        const request = picker.pick(this.random);
        await this.send(request.service, request, connection, performance.now(), scenario.timeoutMs);
        // Think times spread over half to one and a half times the mean, so users do not fall into step.
        await this.pause(scenario.thinkTimeMs * (0.5 + this.random()));
      }
    };
    await Promise.all(Array.from({ length: scenario.users }, (_, index) => user(index)));
  }

  /** Read after an await: the signal may have fired meanwhile. */
  private stopped(): boolean {
    return this.signal.aborted;
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.signal }).catch(() => undefined);
  }

  private async send(service: string, entry: TrafficRequest, connection: Dispatcher | undefined, dueAt: number, timeoutMs: number): Promise<void> {
    const { identities, clients, plan, target } = this.options;
    // A jwt request is made as one of the logged-in users; a login, as any load-test user.
    const userIndex = Math.floor(this.random() * (entry.credentials === 'jwt' ? identities.tokens.length : identities.users.length));
    const request = concreteRequest(service, entry, plan.params, identities.users[userIndex], this.random);
    const headers: Record<string, string> = { 'user-agent': 'pyairtable-sre-loadtest' };
    if (request.credentials === 'api_key' && identities.apiKey !== undefined) headers['x-api-key'] = identities.apiKey;
    if (request.credentials === 'jwt') headers.authorization = `Bearer ${identities.tokens[userIndex] ?? ''}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    // A user's requests, and logins in a user's name, leave from that user's address.
    const client = connection ?? (request.credentials === 'jwt' || request.asUser ? clients.of(userIndex) : clients.any());
    const sentAt = performance.now();
    this.recorder.recordLag(Math.max(0, sentAt - dueAt));
    const tags = { service: request.service, route: request.route, method: request.method };
    let sample: Sample;
    try {
      const response = await client.request({
        origin: target.origin,
        path: request.path,
        method: request.method,
        headers,
        body: request.body,
        signal: AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)]),
      });
      const text = await response.body.text();
      sample = { ...tags, status: response.statusCode, durationMs: performance.now() - sentAt, checkOk: checks(request, response.statusCode, text) };
    } catch (error) {
      // Cancelled because the run stopped: not a result of the system under test.
      if (this.signal.aborted) return;
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
      sample = { ...tags, status: 0, durationMs: performance.now() - sentAt, checkOk: false, error: code };
    }
    this.recorder.record(sample, performance.now());
  }
}

/** The answer has the status a healthy one has and, where the mix names one, the body key. */
function checks(request: ConcreteRequest, status: number, text: string): boolean {
  if (status !== request.expectStatus) return false;
  if (request.expectBodyKey === undefined) return true;
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null && request.expectBodyKey in body;
  } catch {
    return false;
  }
}
