import { z } from 'zod';
import { catalogSchema } from '../catalog/schema.js';

/** The catalog's JSON Schema, derived from the zod schema, for editors (yaml-language-server). */
export function catalogJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(catalogSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: 'PyAirtable SLO catalog',
    description: 'slo/catalog.yaml: services, SLOs, gateway policy, alerting links and cost inputs. Durations use Prometheus units (500ms, 30s, 5m, 1h, 30d).',
  };
}
