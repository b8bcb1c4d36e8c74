import { z } from 'zod';

/**
 * Alertmanager's webhook payload, version 4: validated whole before anything is stored, so a
 * malformed delivery gets a 4xx naming the field and leaves no trace.
 */
const timestamp = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' });

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: timestamp,
  endsAt: timestamp,
  generatorURL: z.string().default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be the 16 hex digits Alertmanager gives an alert' }),
});

export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4', { error: 'must be "4", the webhook version this control plane reads' }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().min(1),
  groupLabels: z.record(z.string(), z.string()),
  commonLabels: z.record(z.string(), z.string()),
  commonAnnotations: z.record(z.string(), z.string()).default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1).max(1000),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

/** Alertmanager writes this as endsAt while an alert fires. */
const NOT_ENDED = Date.parse('0001-01-01T00:00:00Z');

export function endedAt(alert: AlertmanagerAlert): number | undefined {
  const at = Date.parse(alert.endsAt);
  return at <= NOT_ENDED || alert.status === 'firing' ? undefined : at;
}
