import { CatalogError, DEFAULT_CATALOG_PATH, loadCatalog, type Catalog } from '../catalog/index.js';
import { CliExit } from './exit.js';

/** Loads the catalog for a command, turning validation problems into a clean exit. */
export function catalogFrom(path: string | undefined): Catalog {
  try {
    return loadCatalog(path ?? process.env.SRE_CATALOG ?? DEFAULT_CATALOG_PATH);
  } catch (error) {
    if (error instanceof CatalogError) throw new CliExit(2, `invalid catalog:\n${error.message}`);
    throw error;
  }
}
