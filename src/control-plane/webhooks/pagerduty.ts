import { z } from 'zod';

/**
 * PagerDuty's v3 webhook: `{ event: { event_type, occurred_at, agent, data } }`. The incident's
 * `incident_key` is the dedup key Alertmanager gave the page, which names the group it came from.
 */
export const pagerDutyEventSchema = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().regex(/^[a-z_]+\.[a-z_]+$/, { error: 'must be a PagerDuty event type such as incident.acknowledged' }),
    resource_type: z.string().min(1),
    occurred_at: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' }),
    agent: z.object({ id: z.string().optional(), summary: z.string().optional(), type: z.string().optional() }).nullable().optional(),
    data: z.looseObject({
      id: z.string().min(1),
      type: z.string().min(1),
      status: z.string().optional(),
      incident_key: z.string().optional(),
      title: z.string().optional(),
    }),
  }),
});
