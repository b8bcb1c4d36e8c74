import { formatDuration } from '../../catalog/duration.js';
import { CONTROL_PLANE_JOB, GATEWAY_JOB, SIMULATOR_JOB } from '../../catalog/conventions.js';
import { controlPlaneAddress } from '../../catalog/index.js';
import type { Catalog } from '../../catalog/index.js';

export interface ServerConfigOptions {
  /** Rule file globs, relative to the configuration file (Prometheus resolves them so). */
  readonly ruleFiles: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
}

/** The Prometheus server configuration for the local stack: scrape targets and rules from the catalog. */
export function prometheusServerConfig(catalog: Catalog, options: ServerConfigOptions): Record<string, unknown> {
  const { stack } = catalog;
  const target = (hostPort: string): { targets: string[] } => ({ targets: [hostPort] });
  return {
    global: {
      scrape_interval: options.scrapeInterval ?? formatDuration(stack.scrape_interval),
      evaluation_interval: options.evaluationInterval ?? formatDuration(stack.evaluation_interval),
      external_labels: { platform: catalog.platform.toLowerCase() },
    },
    rule_files: [...options.ruleFiles],
    alerting: { alertmanagers: [{ static_configs: [target(stack.alertmanager)] }] },
    scrape_configs: [
      // The job name is part of the SLI contract: every generated rule selects job="gateway".
      { job_name: GATEWAY_JOB, static_configs: [target(catalog.gateway.listen)] },
      { job_name: SIMULATOR_JOB, static_configs: [target(`${catalog.simulatorAdmin.host}:${catalog.simulatorAdmin.port}`)] },
      { job_name: CONTROL_PLANE_JOB, static_configs: [target(`${controlPlaneAddress(catalog).host}:${controlPlaneAddress(catalog).port}`)] },
      { job_name: 'prometheus', static_configs: [target(stack.prometheus)] },
      { job_name: 'alertmanager', static_configs: [target(stack.alertmanager)] },
      { job_name: 'otel-collector', static_configs: [target(stack.collector_metrics)] },
      { job_name: 'jaeger', static_configs: [target(stack.jaeger_metrics)] },
    ],
  };
}
