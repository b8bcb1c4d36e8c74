import { z } from 'zod';
import { experimentSchema } from '../chaos/experiment.js';
import { catalogSchema } from '../catalog/schema.js';

/** The catalog's JSON Schema, derived from the zod schema, for editors (yaml-language-server). */
export function catalogJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(catalogSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: 'PyAirtable SLO catalog',
    description: 'slo/catalog.yaml: services, SLOs, gateway policy, alerting links and cost inputs. Durations use Prometheus units (500ms, 30s, 5m, 1h, 30d).',
  };
}

/** The chaos experiments' JSON Schema: the Chaos Toolkit format with this project's providers and extension. */
export function experimentJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: 'PyAirtable SRE chaos experiment',
    description: 'chaos/*.yaml: a Chaos Toolkit experiment (title, description, tags, steady-state-hypothesis, method, rollbacks) with simulator-fault and toxiproxy providers and the pyairtable-sre extension (expect_breaks, abort, blast_radius).',
  };
}
