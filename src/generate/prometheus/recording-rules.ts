import { BURN_RATE_TIERS, SLI_WINDOWS } from '../../catalog/burn-rate.js';
import { ERROR_BUDGET, LATENCY_THRESHOLD, OBJECTIVE, PERIOD_BUDGET_REMAINING, PERIOD_BURN_RATE, PERIOD_ERROR_RATIO, SLO_INFO, sliErrorRatio, sliRequestRate, sloIdentity, sloSelector } from '../../catalog/conventions.js';
import { formatDuration, type Catalog } from '../../catalog/index.js';
import type { RecordingRule, RuleFile } from './rule-types.js';
import { errorRatioQuery, requestRateQuery } from './sli-queries.js';

const LONG_WINDOWS = [...new Set(BURN_RATE_TIERS.map((tier) => tier.longWindow))];

/** SLI error ratios over every alert window, and request rates over the long ones (low-traffic guard). */
export function sliRules(catalog: Catalog, service: string): RuleFile {
  const slos = catalog.slos.filter((slo) => slo.service === service);
  return {
    groups: slos.map((slo) => ({
      name: `slo-sli-${slo.service}-${slo.id}`,
      rules: [
        ...SLI_WINDOWS.map((window): RecordingRule => ({ record: sliErrorRatio(window), expr: errorRatioQuery(slo, window), labels: sloIdentity(slo) })),
        ...LONG_WINDOWS.map((window): RecordingRule => ({ record: sliRequestRate(window), expr: requestRateQuery(slo, window), labels: sloIdentity(slo) })),
      ],
    })),
  };
}

/** Objective, budget and the period-wide series: how much of the budget is left. */
export function budgetRules(catalog: Catalog, service: string): RuleFile {
  const slos = catalog.slos.filter((slo) => slo.service === service);
  return {
    groups: slos.map((slo) => {
      const period = formatDuration(slo.periodMs);
      return {
        name: `slo-budget-${slo.service}-${slo.id}`,
        // The period series read 30 days of samples: once a minute is often enough.
        interval: '1m',
        rules: [
          { record: OBJECTIVE, expr: `vector(${slo.objective})`, labels: sloIdentity(slo) },
          { record: ERROR_BUDGET, expr: `vector(${slo.budget})`, labels: sloIdentity(slo) },
          // Averaging the 5m ratio over the period is the usual cheap form of a 30d rate.
          { record: PERIOD_ERROR_RATIO, expr: `avg_over_time(${sliErrorRatio('5m')}${sloSelector(slo)}[${period}])`, labels: sloIdentity(slo) },
          { record: PERIOD_BURN_RATE, expr: `${PERIOD_ERROR_RATIO}${sloSelector(slo)} / ${slo.budget}`, labels: sloIdentity(slo) },
          { record: PERIOD_BUDGET_REMAINING, expr: `1 - ${PERIOD_BURN_RATE}${sloSelector(slo)}`, labels: sloIdentity(slo) },
          ...(slo.id === 'availability' ? [] : [{ record: LATENCY_THRESHOLD, expr: `vector(${slo.thresholdSeconds})`, labels: sloIdentity(slo) }]),
          {
            record: SLO_INFO,
            expr: 'vector(1)',
            labels: {
              ...sloIdentity(slo),
              objective: String(slo.objective),
              period,
              owner: slo.owner,
              tier: String(slo.serviceTier),
              threshold_seconds: slo.id === 'availability' ? '' : String(slo.thresholdSeconds),
              description: slo.description,
            },
          },
        ],
      };
    }),
  };
}
