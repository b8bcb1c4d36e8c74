import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CatalogError, fieldPath, type CatalogProblem } from './errors.js';
import { catalogSchema, type CatalogSpec } from './schema.js';
import { crossCheck } from './cross-checks.js';
import { buildCatalog, type Catalog } from './model.js';
import { readOpenSlo } from './openslo.js';

export const DEFAULT_CATALOG_PATH = 'slo/catalog.yaml';

/** Reads, parses and validates a catalog; throws CatalogError listing every problem found. */
export function loadCatalog(file: string = DEFAULT_CATALOG_PATH): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CatalogError([{ file, field: '', message: `cannot read the catalog: ${(error as Error).message}` }]);
  }
  return parseCatalog(text, file);
}

export function parseCatalog(text: string, file: string): Catalog {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CatalogError(
      doc.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return { file, line: pos.line, column: pos.col, field: '', message: `invalid YAML: ${firstLine(error.message)}` };
      }),
    );
  }
  const parsed = catalogSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new CatalogError(parsed.error.issues.map((issue) => locateIssue(issue, doc, lines, file)));
  }
  const spec: CatalogSpec = withOpenSlo(parsed.data, file);
  const crossIssues = crossCheck(spec);
  if (crossIssues.length > 0) {
    throw new CatalogError(crossIssues.map((issue) => locate(issue.path, issue.message, doc, lines, file)));
  }
  return buildCatalog(spec, file);
}

/** Adds the SLOs of the catalog's OpenSLO files to the services they name. */
function withOpenSlo(spec: CatalogSpec, file: string): CatalogSpec {
  if (spec.openslo.length === 0) return spec;
  const problems: CatalogProblem[] = [];
  const services = spec.services.map((service) => ({ ...service, slos: [...service.slos] }));
  for (const path of spec.openslo) {
    const openSloFile = resolve(dirname(file), path);
    let result: ReturnType<typeof readOpenSlo>;
    try {
      result = readOpenSlo(openSloFile, services.map((s) => s.id));
    } catch (error) {
      problems.push({ file, field: 'openslo', message: `cannot read ${path}: ${(error as Error).message}` });
      continue;
    }
    problems.push(...result.problems);
    for (const { service, slo } of result.slos) {
      services.find((candidate) => candidate.id === service)?.slos.push(slo);
    }
  }
  if (problems.length > 0) throw new CatalogError(problems);
  return { ...spec, services };
}

function locateIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): CatalogProblem {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const node = doc.getIn(path, true);
    const keyNode = isMap(node) ? node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key : undefined;
    const allowed = allowedKeysHint(path);
    return {
      ...position(keyNode as Node | undefined, lines),
      file,
      field: fieldPath([...path, key]),
      message: `unknown key "${issue.keys.join('", "')}"${allowed}`,
    };
  }
  return locate(path, describe(issue), doc, lines, file);
}

function locate(path: readonly (string | number)[], message: string, doc: Document, lines: LineCounter, file: string): CatalogProblem {
  // A missing field has no node of its own: point at the nearest ancestor that exists.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node?.range) return { ...position(node, lines), file, field: fieldPath(path), message };
  }
  return { file, field: fieldPath(path), message };
}

function position(node: Node | undefined, lines: LineCounter): { line?: number; column?: number } {
  if (!node?.range) return {};
  const pos = lines.linePos(node.range[0]);
  return { line: pos.line, column: pos.col };
}

function describe(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && issue.input === undefined ? `is required (${issue.expected})` : issue.message;
}

function allowedKeysHint(path: readonly (string | number)[]): string {
  const shape = shapeAt(path);
  return shape ? `; allowed keys: ${shape.join(', ')}` : '';
}

function shapeAt(path: readonly (string | number)[]): string[] | undefined {
  let schema: unknown = catalogSchema;
  for (const key of path) {
    schema = unwrap(schema);
    if (typeof key === 'number') {
      schema = (schema as { element?: unknown }).element;
    } else {
      schema = (schema as { shape?: Record<string, unknown> }).shape?.[key];
    }
    if (schema === undefined) return undefined;
  }
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : undefined;
}

function unwrap(schema: unknown): unknown {
  // Defaults, optionals and transforms wrap the object schema whose keys we want to list.
  let current = schema as { def?: { innerType?: unknown; in?: unknown; type?: string } } | undefined;
  for (;;) {
    const inner = current?.def?.innerType ?? (current?.def?.type === 'pipe' ? current.def.in : undefined);
    if (inner === undefined) return current;
    current = inner as typeof current;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
