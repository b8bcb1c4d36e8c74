/** One problem found in a catalog file, located as precisely as the YAML allows. */
export interface CatalogProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Field path such as services[2].routes[0].prefix; empty for the whole document. */
  readonly field: string;
  readonly message: string;
}

export function formatProblem(problem: CatalogProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return problem.field ? `${where}: ${problem.field}: ${problem.message}` : `${where}: ${problem.message}`;
}

export class CatalogError extends Error {
  constructor(readonly problems: readonly CatalogProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'CatalogError';
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : text ? `.${String(key)}` : String(key);
  }
  return text;
}
