import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { BigValueColorMode, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  MappingType,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * Dashboards built with Grafana's foundation SDK. Every panel gets a title, a description, a unit
 * and the ${datasource} variable: what the dashboard lint checks.
 */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

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
  /** The colour below the first threshold (default green): red where higher is better. */
  readonly baseColor?: string;
  /** A 0/1 query (`>= bool`) shown as a plain "not met" / "met". */
  readonly verdict?: boolean;
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly query: string;
  readonly multi: boolean;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly Variable[];
  readonly panels: readonly PanelSpec[];
}

const GRID_COLUMNS = 24;

/**
 * The dashboard model, laid out left to right in rows of 24 columns. The classic (v1) JSON model on
 * purpose: file provisioning and the kube-prometheus-stack sidecar load it, not the v2 resource.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- v1 is what provisioning reads (above)
export function buildDashboard(spec: DashboardSpec, notice: string): Dashboard {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- as above
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(`${spec.description} ${notice}`)
    .tags(['pyairtable', 'slo', 'generated'])
    .timezone('utc')
    .readonly()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .link(new DashboardLinkBuilder('PyAirtable dashboards').type(DashboardLinkType.Dashboards).tags(['pyairtable']).asDropdown(true))
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const variable of spec.variables) {
    builder.withVariable(
      new QueryVariableBuilder(variable.name)
        .label(variable.label)
        .datasource(DATASOURCE)
        .query(variable.query)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(variable.multi)
        .includeAll(variable.multi),
    );
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  spec.panels.forEach((panel, index) => {
    const w = panel.width ?? 12;
    const h = panel.height ?? 8;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    builder.withPanel(panelBuilder(panel).id(index + 1).gridPos({ x, y, w, h }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  return builder.build();
}

type AnyPanelBuilder = TimeseriesPanelBuilder | StatPanelBuilder | TablePanelBuilder;

function panelBuilder(spec: PanelSpec): AnyPanelBuilder {
  const type = spec.type ?? 'timeseries';
  const builder = visualisation(spec);
  builder
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ color: spec.baseColor ?? 'green', value: null }, ...(spec.thresholds ?? []).map((t) => ({ color: t.color, value: t.value }))]))
    .targets(spec.targets.map((target, index) => query(target, index, type)));
  if (spec.verdict) builder.mappings([{ type: MappingType.ValueToText, options: { '0': { text: 'not met', color: 'red' }, '1': { text: 'met', color: 'green' } } }]);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  return builder;
}

function visualisation(spec: PanelSpec): AnyPanelBuilder {
  switch (spec.type ?? 'timeseries') {
    case 'stat':
      return new StatPanelBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields('')).colorMode(BigValueColorMode.Background);
    case 'table':
      return new TablePanelBuilder().showHeader(true);
    case 'timeseries': {
      const panel = new TimeseriesPanelBuilder()
        .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).showLegend(true).calcs(['lastNotNull', 'max']))
        .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi));
      return spec.thresholds ? panel.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)) : panel;
    }
  }
}

function query(target: Target, index: number, type: NonNullable<PanelSpec['type']>): cog.Builder<cog.Dataquery> {
  const builder = new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .datasource(DATASOURCE)
    .expr(target.expr)
    .legendFormat(target.legend ?? '__auto');
  if (target.exemplar) builder.exemplar(true);
  if (target.instant || type === 'table') return builder.instant().format(type === 'table' ? PromQueryFormat.Table : PromQueryFormat.TimeSeries);
  return builder.range();
}
