import { PromqlSyntaxError, selectorsOf, type Selector } from '../promql/selectors.js';

interface DashboardJson {
  templating?: { list?: { name?: string; type?: string; label?: string }[] };
  panels?: { title?: string; description?: string; datasource?: { uid?: string }; fieldConfig?: { defaults?: { unit?: string } }; targets?: { expr?: string; datasource?: { uid?: string } }[] }[];
}

const RAW_COUNTER = /^[a-zA-Z_][a-zA-Z0-9_]*_(total|count|bucket|sum)$/;

/**
 * The rules of Grafana's dashboard-linter that matter here (the linter itself cannot be installed
 * on this machine): a "Data source" variable that every panel and target uses; a title,
 * description, unit and target on every panel; valid PromQL; $__rate_interval in every range;
 * raw counters only inside rate() or increase().
 */
export function lintDashboard(file: string, json: DashboardJson): { findings: string[]; selectors: { where: string; selector: Selector }[] } {
  const findings: string[] = [];
  const selectors: { where: string; selector: Selector }[] = [];
  const variable = json.templating?.list?.find((v) => v.type === 'datasource');
  if (variable?.name !== 'datasource' || variable.label !== 'Data source') findings.push(`${file}: needs a datasource template variable named "datasource" labelled "Data source"`);
  for (const panel of json.panels ?? []) {
    const where = `${file} panel "${panel.title ?? '?'}"`;
    if (!panel.title) findings.push(`${where}: has no title`);
    if (!panel.description) findings.push(`${where}: has no description`);
    if (!panel.fieldConfig?.defaults?.unit) findings.push(`${where}: has no unit`);
    if (panel.datasource?.uid !== '${datasource}') findings.push(`${where}: does not use the \${datasource} variable`);
    if (!panel.targets?.length) findings.push(`${where}: has no target`);
    for (const target of panel.targets ?? []) {
      const expr = target.expr ?? '';
      if (target.datasource?.uid !== '${datasource}') findings.push(`${where}: a target does not use the \${datasource} variable`);
      for (const range of expr.matchAll(/\[([^\]]+)\]/g)) {
        if (range[1] !== '$__rate_interval') findings.push(`${where}: range [${range[1] ?? ''}] should be [$__rate_interval]`);
      }
      let found: Selector[];
      try {
        found = selectorsOf(expr.replaceAll('$__rate_interval', '5m'));
      } catch (error) {
        findings.push(`${where}: ${error instanceof PromqlSyntaxError ? error.message : String(error)}`);
        continue;
      }
      for (const selector of found) selectors.push({ where, selector });
      for (const name of rawCountersOutsideRange(expr.replaceAll('$__rate_interval', '5m'))) findings.push(`${where}: counter ${name} must be wrapped in rate() or increase()`);
    }
  }
  return { findings, selectors };
}

function rawCountersOutsideRange(expr: string): string[] {
  // A counter inside a range selector is "name{...}[5m]"; anywhere else it is read raw.
  const inRanges = new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\[/g)].map((m) => m[1]));
  return selectorsOf(expr)
    .map((s) => s.metric)
    .filter((name) => RAW_COUNTER.test(name) && !inRanges.has(name));
}
