import { parser } from '@prometheus-io/lezer-promql';

export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface Selector {
  readonly metric: string;
  readonly matchers: readonly LabelMatcher[];
}

export class PromqlSyntaxError extends Error {
  override name = 'PromqlSyntaxError';
}

/** Every vector selector of a PromQL expression, parsed with Prometheus' own lezer grammar. */
export function selectorsOf(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new PromqlSyntaxError(`invalid PromQL at offset ${cursor.from}: ${JSON.stringify(expr.slice(Math.max(0, cursor.from - 20), cursor.from + 20))}`);
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const metric = node.getChild('Identifier');
    const matchers: LabelMatcher[] = [];
    for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const name = matcher.getChild('LabelName');
      const op = matcher.getChild('MatchOp');
      const value = matcher.getChild('StringLiteral');
      if (!name || !op || !value) continue;
      matchers.push({ name: expr.slice(name.from, name.to), op: expr.slice(op.from, op.to) as LabelMatcher['op'], value: JSON.parse(expr.slice(value.from, value.to).replace(/^'|'$/g, '"')) as string });
    }
    if (metric) selectors.push({ metric: expr.slice(metric.from, metric.to), matchers });
  } while (cursor.next());
  return selectors;
}
