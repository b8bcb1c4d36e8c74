/**
 * Small typed builders for the Grafana dashboard JSON model (schemaVersion 39). Every panel gets a
 * title, a description, a unit and the ${datasource} variable: what the dashboard linter checks.
 */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  readonly expr: string;
  readonly legend?: string;
  readonly exemplar?: boolean;
  readonly instant?: boolean;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  readonly type?: 'timeseries' | 'stat' | 'table';
  readonly width?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Drawn as a dashed threshold line (timeseries) or colour step (stat). */
  readonly thresholds?: readonly { value: number; color: string }[];
}

export type Panel = Record<string, unknown>;

export function layout(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, index) => {
    const w = spec.width ?? 12;
    const h = spec.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const panel = toPanel(spec, index + 1, { x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return panel;
  });
}

function toPanel(spec: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Panel {
  const type = spec.type ?? 'timeseries';
  const steps = [{ color: 'green', value: null as number | null }, ...(spec.thresholds ?? []).map((t) => ({ color: t.color, value: t.value }))];
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.min === undefined ? {} : { min: spec.min }),
        ...(spec.max === undefined ? {} : { max: spec.max }),
        thresholds: { mode: 'absolute', steps },
        ...(type === 'timeseries' && spec.thresholds ? { custom: { thresholdsStyle: { mode: 'dashed' } } } : {}),
      },
      overrides: [],
    },
    options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background' } : type === 'table' ? { showHeader: true } : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi' } },
    targets: spec.targets.map((target, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: target.expr,
      legendFormat: target.legend ?? '__auto',
      ...(target.exemplar ? { exemplar: true } : {}),
      ...(target.instant || type === 'table' ? { instant: true, range: false, format: type === 'table' ? 'table' : 'time_series' } : { range: true }),
    })),
  };
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly query: string;
  readonly multi: boolean;
}

export function dashboard(uid: string, title: string, description: string, variables: readonly Variable[], panels: readonly Panel[], notice: string): Record<string, unknown> {
  return {
    uid,
    title,
    description: `${description} ${notice}`,
    tags: ['pyairtable', 'slo', 'generated'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        ...variables.map((v) => ({
          name: v.name,
          label: v.label,
          type: 'query',
          datasource: DATASOURCE,
          query: { query: v.query, refId: v.name },
          definition: v.query,
          refresh: 2,
          includeAll: v.multi,
          multi: v.multi,
          sort: 1,
          current: {},
          hide: 0,
        })),
      ],
    },
    annotations: { list: [] },
    links: [{ title: 'PyAirtable dashboards', type: 'dashboards', tags: ['pyairtable'], asDropdown: true }],
    panels,
  };
}
