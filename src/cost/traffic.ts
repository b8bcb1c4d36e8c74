import { GATEWAY_JOB, LABEL, SLI_COUNT } from '../catalog/conventions.js';
import { isGatewaySlo, type Catalog } from '../catalog/index.js';
import { goodRequestsQuery } from '../generate/prometheus/sli-queries.js';
import type { PrometheusClient } from '../prometheus/client.js';

/** Requests the gateway answered per service over a window, and those good by every SLO of the service. */
export interface Traffic {
  readonly window: string;
  readonly requests: ReadonlyMap<string, number>;
  readonly good: ReadonlyMap<string, number>;
}

/** From the gateway's request-duration histogram in Prometheus, over the window ending now. */
export async function trafficOver(prometheus: PrometheusClient, catalog: Catalog, window: string): Promise<Traffic> {
  const slos = catalog.slos.filter(isGatewaySlo);
  const services = [...new Set(slos.map((slo) => slo.service))];
  const [requests, good] = await Promise.all([
    prometheus.query(`sum by (${LABEL.service}) (increase(${SLI_COUNT}{job="${GATEWAY_JOB}"}[${window}]))`),
    Promise.all(services.map((service) => prometheus.query(goodRequestsQuery(slos, service, window, 'increase')))),
  ]);
  const byService = (samples: readonly { metric: Readonly<Record<string, string>>; value: readonly [number, string] }[]): [string, number][] =>
    samples.map((sample) => [sample.metric[LABEL.service] ?? '', Number(sample.value[1])]);
  return { window, requests: new Map(byService(requests)), good: new Map(good.flatMap(byService)) };
}
