import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CatalogError } from '../catalog/errors.js';
import { BURN_RATE_TIERS } from '../catalog/burn-rate.js';
import { burnAlertName, GATEWAY_COMPONENT } from '../catalog/conventions.js';
import { isGatewaySlo, parseDuration, type Catalog } from '../catalog/index.js';
import { parseYamlSpec, type CrossCheckIssue } from '../catalog/yaml-spec.js';
import { RESILIENCE_EXPECTATIONS } from './resilience.js';

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

/** A Kubernetes namespace name (an RFC 1123 label). */
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'must be a Kubernetes namespace name' });
/** Where deploy/kubernetes puts the platform. */
export const PLATFORM_NAMESPACE = 'pyairtable';
/** The component's pods: those labelled pyairtable.io/service=<service> (a catalog service, or gateway). */
const kubernetesTarget = { service: serviceId, namespace: namespaceName.default(PLATFORM_NAMESPACE) };

const podKill = z.strictObject({
  type: z.literal('kubernetes-pod-kill'),
  ...kubernetesTarget,
  /** Pods to evict, through the Eviction API: a PodDisruptionBudget can refuse. */
  count: z.number().int().min(1).default(1),
});

const scaleDown = z.strictObject({
  type: z.literal('kubernetes-scale'),
  ...kubernetesTarget,
  /** The Deployment's replicas during the fault; the rollback restores what it had. */
  replicas: z.number().int().min(0),
});

export const CHAOS_MESH_KINDS = ['PodChaos', 'NetworkChaos', 'HTTPChaos', 'StressChaos'] as const;
/** Fields of a Chaos Mesh spec the provider sets itself, from service, namespace and share. */
const CHAOS_MESH_OWN_FIELDS = ['selector', 'mode', 'value'];

const chaosMesh = z.strictObject({
  type: z.literal('chaos-mesh'),
  ...kubernetesTarget,
  kind: z.enum(CHAOS_MESH_KINDS, { error: `must be one of ${CHAOS_MESH_KINDS.join(', ')}` }),
  /** The share of the component's opted-in pods selected (mode all, or fixed-percent). */
  share: z.number().gt(0).max(1).default(1),
  /** The Chaos Mesh spec without selector, mode and value; its schema is the API server's to check. */
  spec: z.record(z.string(), z.unknown()).superRefine((spec, context) => {
    for (const field of CHAOS_MESH_OWN_FIELDS) {
      if (field in spec) context.addIssue({ code: 'custom', path: [field], message: `is set by the provider from service, namespace and share; remove it` });
    }
  }),
});

const PROVIDER_TYPES = ['simulator-fault', 'toxiproxy', 'kubernetes-pod-kill', 'kubernetes-scale', 'chaos-mesh'];
export const providerSchema = z.discriminatedUnion('type', [simulatorFault, toxiproxyToxic, podKill, scaleDown, chaosMesh], { error: `provider type must be one of ${PROVIDER_TYPES.join(', ')}` });

const actionSchema = z.strictObject({
  type: z.literal('action'),
  name: z.string().min(1),
  provider: providerSchema,
  /** Seconds to wait before and after the action, as Chaos Toolkit's pauses. */
  pauses: z.strictObject({ before: z.number().min(0).optional(), after: z.number().min(0).optional() }).optional(),
});

const expectedAlert = z.strictObject({
  /** An alert of the generated rules, such as PyAirtableErrorBudgetBurnFast. */
  alert: z.string().regex(/^PyAirtable[A-Za-z]+$/, { error: 'must name an alert of the generated rules, such as PyAirtableErrorBudgetBurnFast' }),
  slo: sloRef,
  /** How soon after the first injection it must fire; for a burn-rate alert, by default, what its tier promises at the burn measured. */
  within: duration.optional(),
});

const extensionSchema = z.strictObject({
  name: z.literal('pyairtable-sre'),
  /** SLOs the faults should make burn; every other SLO of the catalog must hold. */
  expect_breaks: z.array(sloRef).default([]),
  /** How the gateway must handle the touched services while the faults are in, as the catalog's resilience settings say. */
  expect_resilience: z.array(z.enum(RESILIENCE_EXPECTATIONS, { error: `must be one of ${RESILIENCE_EXPECTATIONS.join(', ')}` })).default([]),
  /** Alerts the faults must fire (read from Prometheus: sre chaos run --prometheus). */
  expect_alerts: z.array(expectedAlert).default([]),
  /** How long the SLIs are measured before the faults (steady state) and after the rollback (recovery). */
  steady_state: duration.default('20s'),
  recovery: duration.default('20s'),
  abort: z
    .strictObject({
      /** Stop and roll back when an SLO not expected to break burns faster than this over the last 10 s. */
      untouched_burn_rate_above: z.number().positive().default(100),
      /** Fewest requests in those 10 s before the burn rate counts. */
      min_requests: z.number().int().min(1).default(30),
      /** Stop and roll back when a page fires for a service the method does not touch (with --prometheus). */
      untouched_page: z.boolean().default(true),
    })
    .prefault({}),
  blast_radius: z
    .strictObject({
      /** Most services the method may touch. */
      max_services: z.number().int().min(1).default(1),
      /** Longest the faults may stay injected. */
      max_duration: duration.default('5m'),
      /** The only namespaces a Kubernetes action may touch. */
      namespaces: z.array(namespaceName).min(1).default([PLATFORM_NAMESPACE]),
      /** The most of a component's pods an action may take away (evict, scale away, PodChaos). */
      max_pod_share: z.number().gt(0).max(1).default(0.34),
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
export type KubernetesProvider = Extract<Provider, { namespace: string }>;

export const isKubernetesProvider = (provider: Provider): provider is KubernetesProvider => 'namespace' in provider;

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

/** The per-SLO alerts an experiment can expect: one per burn-rate tier. */
function knownAlerts(): string[] {
  return BURN_RATE_TIERS.map((tier) => burnAlertName(tier.name));
}

function crossCheck(spec: ExperimentSpec, catalog: Catalog): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const services = catalog.services.map((service) => service.id);
  const components = [...services, GATEWAY_COMPONENT];
  const slos = new Set(catalog.slos.filter(isGatewaySlo).map((slo) => `${slo.service}/${slo.id}`));
  const check = (path: (string | number)[], service: string, known = services): void => {
    if (!known.includes(service)) issues.push({ path, message: `${service} is not a service of ${catalog.source}; use one of ${known.join(', ')}` });
  };
  const extension = spec.extensions[0];
  spec.method.forEach((action, index) => {
    const provider = action.provider;
    const path = ['method', index, 'provider'];
    // The gateway runs as pods too: Kubernetes actions may target it.
    check([...path, 'service'], provider.service, isKubernetesProvider(provider) ? components : services);
    if (!isKubernetesProvider(provider) || !extension) return;
    const { namespaces, max_pod_share: maxShare } = extension.blast_radius;
    if (!namespaces.includes(provider.namespace)) issues.push({ path: [...path, 'namespace'], message: `${provider.namespace} is not in blast_radius.namespaces (${namespaces.join(', ')})` });
    if (provider.type === 'chaos-mesh' && provider.kind === 'PodChaos' && provider.share > maxShare) issues.push({ path: [...path, 'share'], message: `${provider.share} of the pods is more than blast_radius.max_pod_share ${maxShare}` });
  });
  spec.rollbacks.forEach((action, index) => {
    check(['rollbacks', index, 'provider', 'service'], action.provider.service);
  });
  const alerts = knownAlerts();
  extension?.expect_alerts.forEach((expected, index) => {
    if (!alerts.includes(expected.alert)) issues.push({ path: ['extensions', 0, 'expect_alerts', index, 'alert'], message: `${expected.alert} is no alert the catalog's rules define; use one of ${alerts.join(', ')}` });
    if (!slos.has(expected.slo)) issues.push({ path: ['extensions', 0, 'expect_alerts', index, 'slo'], message: `${expected.slo} is not an SLO of ${catalog.source}; use one of ${[...slos].join(', ')}` });
  });
  extension?.expect_breaks.forEach((ref, index) => {
    if (!slos.has(ref)) issues.push({ path: ['extensions', 0, 'expect_breaks', index], message: `${ref} is not an SLO of ${catalog.source}; use one of ${[...slos].join(', ')}` });
  });
  const touched = new Set(spec.method.map((action) => action.provider.service));
  if (extension && touched.size > extension.blast_radius.max_services) {
    issues.push({ path: ['extensions', 0, 'blast_radius', 'max_services'], message: `the method touches ${touched.size} services (${[...touched].join(', ')}), more than max_services ${extension.blast_radius.max_services}` });
  }
  return issues;
}
