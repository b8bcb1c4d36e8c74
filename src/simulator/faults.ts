import { z } from 'zod';

/** What the fault API can do to one simulated service. */
export const faultSchema = z.strictObject({
  latency_ms: z.number().min(0).max(600_000).default(0),
  error_ratio: z.number().min(0).max(1).default(0),
  error_status: z.number().int().min(500).max(599).default(500),
  hang: z.boolean().default(false),
  refuse_connections: z.boolean().default(false),
});

export type Fault = z.output<typeof faultSchema>;

export const NO_FAULT: Fault = Object.freeze(faultSchema.parse({}));
