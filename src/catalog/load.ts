import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CatalogError, type CatalogProblem } from './errors.js';
import { catalogSchema, type CatalogSpec } from './schema.js';
import { crossCheck } from './cross-checks.js';
import { buildCatalog, type Catalog } from './model.js';
import { readOpenSlo } from './openslo.js';
import { parseYamlSpec } from './yaml-spec.js';

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
  // The OpenSLO files' SLOs join the catalog's before the cross-checks, which see them all.
  let spec: CatalogSpec | undefined;
  const parsed = parseYamlSpec(text, file, catalogSchema, (raw) => crossCheck((spec = withOpenSlo(raw, file))));
  if ('problems' in parsed) throw new CatalogError(parsed.problems);
  return buildCatalog(spec ?? withOpenSlo(parsed.value, file), file);
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

