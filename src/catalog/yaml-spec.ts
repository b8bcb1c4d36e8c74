import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { fieldPath, type CatalogProblem } from './errors.js';

/** A rule spanning several fields, found after the schema passed: where it is, and what is wrong. */
export interface CrossCheckIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * A YAML (or JSON) document validated against a zod schema, then against rules that span fields,
 * every problem located at file:line:column with its field path and what would be valid. Shared by
 * the catalog and the chaos experiments.
 */
export function parseYamlSpec<S extends z.ZodType>(text: string, file: string, schema: S, crossCheck?: (spec: z.output<S>) => readonly CrossCheckIssue[]): { value: z.output<S> } | { problems: CatalogProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const pos = lines.linePos(error.pos[0]);
        return { file, line: pos.line, column: pos.col, field: '', message: `invalid YAML: ${firstLine(error.message)}` };
      }),
    };
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => locateIssue(issue, schema, doc, lines, file)) };
  const issues = crossCheck?.(parsed.data) ?? [];
  if (issues.length > 0) return { problems: issues.map((issue) => locate(issue.path, issue.message, doc, lines, file)) };
  return { value: parsed.data };
}

function locateIssue(issue: z.core.$ZodIssue, schema: z.ZodType, doc: Document, lines: LineCounter, file: string): CatalogProblem {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const node = doc.getIn(path, true);
    const keyNode = isMap(node) ? node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key : undefined;
    const allowed = allowedKeysHint(schema, path);
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

function allowedKeysHint(root: z.ZodType, path: readonly (string | number)[]): string {
  const shape = shapeAt(root, path);
  return shape ? `; allowed keys: ${shape.join(', ')}` : '';
}

function shapeAt(root: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  let schema: unknown = root;
  for (const key of path) {
    schema = unwrap(schema);
    if (typeof key === 'number') {
      schema = (schema as { element?: unknown }).element;
    } else {
      // A union (a provider's types): the option that has the key.
      const options = (schema as { options?: unknown[] }).options ?? [schema];
      schema = options.map((option) => (unwrap(option) as { shape?: Record<string, unknown> }).shape?.[key]).find((found) => found !== undefined);
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
