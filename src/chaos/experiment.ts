import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CatalogError } from '../catalog/errors.js';
import { isGatewaySlo, parseDuration, type Catalog } from '../catalog/index.js';
import { parseYamlSpec, type CrossCheckIssue } from '../catalog/yaml-spec.js';

/**
 * Chaos experiments as data, in the Chaos Toolkit experiment format (title, description, tags,
 * steady-state-hypothesis, method, rollbacks) with this project's providers and one extension,
 * `pyairtable-sre`, for what Chaos Toolkit lacks: the SLOs expected to break, abort conditions and
 * blast-radius limits. The steady state comes from the catalog: every SLO holds.
 */
const duration = z.string().refine((text) => (parseDuration(text) ?? 0) > 0, { error: 'must be a duration such as 30s, 2m or 1h' });
const serviceId = z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'must be a catalog service id' });
/** `service/slo`, as in `airtable-domain/latency`. */
const sloRef = z.string().regex(/^[a-z][a-z0-9-]*\/(availability|latency)$/, { error: 'must name a catalog SLO as service/slo, such as airtable-domain/latency' });

const simulatorFault = z.strictObject({
  type: z.literal('simulator-fault'),
  service: serviceId,
  /** The simulator's fault API body (docs/simulator.md). */
  fault: z.strictObject({
    latency_ms: z.number().int().min(0).max(600_000).optional(),
    error_ratio: z.number().min(0).max(1).optional(),
    error_status: z.number().int().min(500).max(599).optional(),
    hang: z.boolean().optional(),
    refuse_connections: z.boolean().optional(),
  }),
});

export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const;

const toxiproxyToxic = z.strictObject({
  type: z.literal('toxiproxy'),
  service: serviceId,
  /** A Toxiproxy toxic on the connection from the gateway to the service. */
  toxic: z.strictObject({
    type: z.enum(TOXIC_TYPES, { error: `must be one of ${TOXIC_TYPES.join(', ')}` }),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    attributes: z.record(z.string(), z.number()).default({}),
  }),
});

export const providerSchema = z.discriminatedUnion('type', [simulatorFault, toxiproxyToxic], { error: 'provider type must be simulator-fault or toxiproxy' });

const actionSchema = z.strictObject({
  type: z.literal('action'),
  name: z.string().min(1),
  provider: providerSchema,
  /** Seconds to wait before and after the action, as Chaos Toolkit's pauses. */
  pauses: z.strictObject({ before: z.number().min(0).optional(), after: z.number().min(0).optional() }).optional(),
});

const extensionSchema = z.strictObject({
  name: z.literal('pyairtable-sre'),
  /** SLOs the faults should make burn; every other SLO of the catalog must hold. */
  expect_breaks: z.array(sloRef).default([]),
  /** How long the SLIs are measured before the faults (steady state) and after the rollback (recovery). */
  steady_state: duration.default('20s'),
  recovery: duration.default('20s'),
  abort: z
    .strictObject({
      /** Stop and roll back when an SLO not expected to break burns faster than this over the last 10 s. */
      untouched_burn_rate_above: z.number().positive().default(100),
      /** Fewest requests in those 10 s before the burn rate counts. */
      min_requests: z.number().int().min(1).default(30),
    })
    .prefault({}),
  blast_radius: z
    .strictObject({
      /** Most services the method may touch. */
      max_services: z.number().int().min(1).default(1),
      /** Longest the faults may stay injected. */
      max_duration: duration.default('5m'),
    })
    .prefault({}),
});

export const experimentSchema = z.strictObject({
  version: z.string().default('1.0.0'),
  title: z.string().min(1),
  /** The hypothesis in plain words. */
  description: z.string().min(1),
  tags: z.array(z.string()).default([]),
  'steady-state-hypothesis': z.strictObject({ title: z.string().min(1) }),
  method: z.array(actionSchema).min(1),
  rollbacks: z.array(actionSchema.omit({ provider: true }).extend({ provider: z.strictObject({ type: z.literal('restore'), service: serviceId }) })).default([]),
  extensions: z.array(extensionSchema).length(1, { error: 'needs exactly one extension named pyairtable-sre' }),
});

export type ExperimentSpec = z.output<typeof experimentSchema>;
export type Provider = z.output<typeof providerSchema>;

export interface Experiment extends ExperimentSpec {
  readonly file: string;
  readonly extension: z.output<typeof extensionSchema>;
  /** Services the method touches. */
  readonly touched: readonly string[];
  readonly steadyStateMs: number;
  readonly recoveryMs: number;
  readonly maxDurationMs: number;
}

export class ExperimentError extends CatalogError {
  override name = 'ExperimentError';
}

/** Reads and validates an experiment against the schema and the catalog; ExperimentError lists every problem. */
export function loadExperiment(file: string, catalog: Catalog): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ExperimentError([{ file, field: '', message: `cannot read the experiment: ${(error as Error).message}` }]);
  }
  return parseExperiment(text, file, catalog);
}

export function parseExperiment(text: string, file: string, catalog: Catalog): Experiment {
  const parsed = parseYamlSpec(text, file, experimentSchema, (spec) => crossCheck(spec, catalog));
  if ('problems' in parsed) throw new ExperimentError(parsed.problems);
  const spec = parsed.value;
  const extension = spec.extensions[0] ?? extensionSchema.parse({ name: 'pyairtable-sre' });
  return {
    ...spec,
    file,
    extension,
    touched: [...new Set(spec.method.map((action) => action.provider.service))],
    steadyStateMs: parseDuration(extension.steady_state) ?? 0,
    recoveryMs: parseDuration(extension.recovery) ?? 0,
    maxDurationMs: parseDuration(extension.blast_radius.max_duration) ?? 0,
  };
}

function crossCheck(spec: ExperimentSpec, catalog: Catalog): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const services = catalog.services.map((service) => service.id);
  const slos = new Set(catalog.slos.filter(isGatewaySlo).map((slo) => `${slo.service}/${slo.id}`));
  const check = (path: (string | number)[], service: string): void => {
    if (!services.includes(service)) issues.push({ path, message: `${service} is not a service of ${catalog.source}; use one of ${services.join(', ')}` });
  };
  spec.method.forEach((action, index) => {
    check(['method', index, 'provider', 'service'], action.provider.service);
  });
  spec.rollbacks.forEach((action, index) => {
    check(['rollbacks', index, 'provider', 'service'], action.provider.service);
  });
  const extension = spec.extensions[0];
  extension?.expect_breaks.forEach((ref, index) => {
    if (!slos.has(ref)) issues.push({ path: ['extensions', 0, 'expect_breaks', index], message: `${ref} is not an SLO of ${catalog.source}; use one of ${[...slos].join(', ')}` });
  });
  const touched = new Set(spec.method.map((action) => action.provider.service));
  if (extension && touched.size > extension.blast_radius.max_services) {
    issues.push({ path: ['extensions', 0, 'blast_radius', 'max_services'], message: `the method touches ${touched.size} services (${[...touched].join(', ')}), more than max_services ${extension.blast_radius.max_services}` });
  }
  return issues;
}
