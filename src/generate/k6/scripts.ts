import type { Catalog } from '../../catalog/index.js';
import { loadPlan, profileOf, stepPlan, trafficOf, type ArrivalScenario, type LoadPlan, type UsersScenario } from '../../loadtest/plan.js';

/**
 * A k6 script per traffic profile, for teams that run k6: the same plan the engine runs
 * (loadtest/plan.ts), written as k6 scenarios. Open-model executors (constant- and
 * ramping-arrival-rate), every request tagged with its catalog service and route template,
 * checks on status and body shape, and the thresholds of thresholds.json (abortOnFail with
 * delayAbortEval when run with -e GATE=1).
 */
export function k6Scripts(catalog: Catalog, notice: string): Map<string, string> {
  const scripts = new Map<string, string>();
  for (const name of Object.keys(trafficOf(catalog).profiles)) scripts.set(name, script(catalog, name, notice));
  return scripts;
}

/** A capacity profile in k6: its search's growing steps as one ramp, which abortOnFail stops at the first broken SLO. */
export function capacityStages(catalog: Catalog, name: string): { scale: number; plan: LoadPlan }[] {
  const profile = profileOf(catalog, name);
  if (profile.executor !== 'capacity') return [];
  const steps: { scale: number; plan: LoadPlan }[] = [];
  for (let scale = profile.start_scale; ; scale = Math.min(scale * profile.growth, profile.max_scale)) {
    steps.push({ scale, plan: stepPlan(catalog, name, scale, profile.step_duration) });
    if (scale >= profile.max_scale) break;
  }
  return steps;
}

const RAMP_BETWEEN_STEPS_MS = 1_000;

function script(catalog: Catalog, name: string, notice: string): string {
  const profile = profileOf(catalog, name);
  const capacity = profile.executor === 'capacity';
  const plan = capacity ? stepPlan(catalog, name, profile.start_scale, profile.step_duration) : loadPlan(catalog, name);
  const scenarios: Record<string, unknown> = {};
  const mix: Record<string, unknown> = {};
  for (const scenario of plan.scenarios) {
    if (scenario.kind === 'arrivals') {
      scenarios[scenario.service] = capacity ? capacityScenario(catalog, name, scenario) : arrivalScenario(scenario);
      mix[scenario.service] = scenario.requests.map((request) => ({ service: scenario.service, ...request }));
    } else {
      scenarios.users = usersScenario(scenario);
      mix.users = scenario.requests;
    }
  }
  const exported = Object.keys(scenarios).map((key) => `/** @param {{ tokens: string[] }} data */\nexport function ${execName(key)}(data) {\n  send(pick(MIX[${JSON.stringify(key)}]), data);${key === 'users' ? `\n  sleep(THINK_TIME_S * (0.5 + Math.random()));` : ''}\n}`);
  const thinkTime = plan.scenarios.find((s): s is UsersScenario => s.kind === 'users')?.thinkTimeMs;
  return `// ${notice}
// ${plan.description ?? `The ${name} profile.`}
//   k6 run loadtests/${name}.js -e BASE_URL=http://127.0.0.1:8000 -e API_KEY=... [-e PASSWORD=...] [-e GATE=1]
// The same plan as \`sre loadtest ${name}\` runs. Failed (http_req_failed) means no answer or a 5xx, as the SLOs count it.
import http from 'k6/http';
import { check${thinkTime === undefined ? '' : ', sleep'} } from 'k6';

/** @typedef {{ service: string, method: string, endpoint: string, weight: number, credentials: 'api_key' | 'jwt' | 'none', body?: Record<string, unknown>, expectStatus: number, expectBodyKey?: string }} Request */

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8000';
const API_KEY = __ENV.API_KEY || '';
const PASSWORD = __ENV.PASSWORD || 'load-test-password';
${capacity ? '' : "const GATE = __ENV.GATE === '1';\n"}${thinkTime === undefined ? '' : `const THINK_TIME_S = ${thinkTime / 1000};\n`}const JWT_USERS = ${plan.jwtUsers};
const LOGIN = ${JSON.stringify(plan.loginEndpoint ?? null)};
/** @type {{ thresholds: Record<string, string[]> }} */
const SLOS = JSON.parse(open('./thresholds.json'));

/** @type {Record<string, string[]>} */
const PARAMS = ${json(plan.params)};

/** @type {Record<string, Request[]>} */
const MIX = ${json(mix)};

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: ${json(scenarios, '  ')},
  thresholds: Object.fromEntries(
    Object.entries(SLOS.thresholds).map(([metric, expressions]) => [metric, expressions.map((threshold) => ({ threshold, abortOnFail: ${capacity ? 'true' : 'GATE'}, delayAbortEval: '10s' }))]),
  ),
};

// 4xx answers are the client's doing, not a failure of the service: the SLOs count no answer and 5xx.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 499 }));

/** @param {number} index */
function loadTestUser(index) {
  return { email: \`load-\${index + 1}@tenant-\${index + 1}.loadtest.example\`, password: PASSWORD };
}

export function setup() {
  if (LOGIN === null || !Object.values(MIX).some((requests) => requests.some((r) => r.credentials === 'jwt'))) return { tokens: [] };
  const tokens = [];
  for (let index = 0; index < JWT_USERS; index++) {
    const response = http.post(BASE_URL + LOGIN, JSON.stringify(loadTestUser(index)), { headers: { 'content-type': 'application/json' }, tags: { service: 'setup' } });
    const token = response.status === 200 ? response.json('access_token') : null;
    if (typeof token !== 'string') throw new Error(\`logging \${loadTestUser(index).email} in answered \${response.status}\`);
    tokens.push(token);
  }
  return { tokens };
}

/** @param {Request[]} requests */
function pick(requests) {
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  let point = Math.random() * total;
  for (const request of requests) {
    point -= request.weight;
    if (point < 0) return request;
  }
  return requests[requests.length - 1];
}

/** @param {string} template */
function path(template) {
  return template.replace(/\\{([A-Za-z][A-Za-z0-9_]*)\\}/g, (_, name) => {
    const values = PARAMS[name] || [name];
    return encodeURIComponent(values[Math.floor(Math.random() * values.length)]);
  });
}

/** @param {Request} request @param {{ tokens: string[] }} data */
function send(request, data) {
  const index = Math.floor(Math.random() * JWT_USERS);
  /** @type {Record<string, string>} */
  const headers = {};
  if (request.credentials === 'api_key') headers['x-api-key'] = API_KEY;
  if (request.credentials === 'jwt') headers.authorization = \`Bearer \${data.tokens[index % data.tokens.length]}\`;
  let body = null;
  if (request.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body).replaceAll('\${email}', loadTestUser(index).email).replaceAll('\${password}', PASSWORD);
  }
  const response = http.request(request.method, BASE_URL + path(request.endpoint), body, { headers, tags: { service: request.service, route: request.endpoint, name: request.endpoint } });
  check(response, {
    [\`\${request.method} \${request.endpoint} answers \${request.expectStatus}\`]: (r) => r.status === request.expectStatus,
    ...(request.expectBodyKey ? { [\`\${request.method} \${request.endpoint} has \${request.expectBodyKey}\`]: (r) => hasKey(r.body, request.expectBodyKey || '') } : {}),
  });
}

/** @param {unknown} text @param {string} key */
function hasKey(text, key) {
  try {
    const body = JSON.parse(String(text));
    return typeof body === 'object' && body !== null && key in body;
  } catch {
    return false;
  }
}

${exported.join('\n\n')}
`;
}

function arrivalScenario(scenario: ArrivalScenario): Record<string, unknown> {
  const common = { timeUnit: '1m', preAllocatedVUs: scenario.preAllocatedVUs, maxVUs: scenario.maxVUs, exec: execName(scenario.service), tags: { service: scenario.service } };
  if (scenario.executor === 'constant-arrival-rate') return { executor: scenario.executor, rate: scenario.startPerMinute, duration: goDuration(scenario.durationMs), ...common };
  return { executor: scenario.executor, startRate: scenario.startPerMinute, stages: scenario.stages.map((stage) => ({ target: stage.targetPerMinute, duration: goDuration(stage.durationMs) })), ...common };
}

function capacityScenario(catalog: Catalog, name: string, first: ArrivalScenario): Record<string, unknown> {
  const stages = capacityStages(catalog, name).flatMap(({ plan }) => {
    const step = plan.scenarios.find((s): s is ArrivalScenario => s.kind === 'arrivals' && s.service === first.service);
    const rate = step?.startPerMinute ?? 0;
    return [{ target: rate, duration: goDuration(RAMP_BETWEEN_STEPS_MS) }, { target: rate, duration: goDuration(step?.durationMs ?? 0) }];
  });
  const last = capacityStages(catalog, name).at(-1)?.plan.scenarios.find((s): s is ArrivalScenario => s.kind === 'arrivals' && s.service === first.service);
  return { executor: 'ramping-arrival-rate', startRate: first.startPerMinute, stages, timeUnit: '1m', preAllocatedVUs: first.preAllocatedVUs, maxVUs: last?.maxVUs ?? first.maxVUs, exec: execName(first.service), tags: { service: first.service } };
}

function usersScenario(scenario: UsersScenario): Record<string, unknown> {
  return {
    executor: scenario.executor,
    startVUs: 0,
    stages: [{ target: scenario.users, duration: goDuration(scenario.rampUpMs) }, { target: scenario.users, duration: goDuration(Math.max(0, scenario.durationMs - scenario.rampUpMs)) }],
    exec: 'users',
  };
}

/** An exported function's name for a scenario: airtable-domain -> airtableDomain. */
export function execName(scenario: string): string {
  return scenario.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** A duration as Go (and so k6) writes it: 1h30m0s is 1h30m here, 90s is 1m30s. */
export function goDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

function json(value: unknown, indent = ''): string {
  return JSON.stringify(value, undefined, 2).split('\n').join(`\n${indent}`);
}
