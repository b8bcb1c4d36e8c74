/** One sample line of a Prometheus text exposition: its metric name, labels and value. */
export interface ExposedSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the sample lines of the text format (comments and exemplars are not needed here). */
export function parseExposition(text: string): ExposedSeries[] {
  const series: ExposedSeries[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match?.[1]) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name ?? ''] = (value ?? '').replace(/\\(.)/g, '$1');
    series.push({ metric: match[1], labels, value: Number(match[3]) });
  }
  return series;
}
