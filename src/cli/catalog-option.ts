import { Option } from 'commander';
import { CatalogError, DEFAULT_CATALOG_PATH, loadCatalog, type Catalog } from '../catalog/index.js';
import { CliExit } from './exit.js';

/** `-c, --catalog <file>`, which every command that reads the catalog takes. */
export function catalogOption(): Option {
  return new Option('-c, --catalog <file>', `SLO catalog (default: $SRE_CATALOG or ${DEFAULT_CATALOG_PATH})`);
}

/** The catalog file a command reads: the option, else $SRE_CATALOG, else the default. */
export function catalogPath(option: string | undefined): string {
  return option ?? process.env.SRE_CATALOG ?? DEFAULT_CATALOG_PATH;
}

/** Loads the catalog for a command, turning validation problems into a clean exit. */
export function catalogFrom(option: string | undefined): Catalog {
  try {
    return loadCatalog(catalogPath(option));
  } catch (error) {
    if (error instanceof CatalogError) throw new CliExit(2, `invalid catalog:\n${error.message}`);
    throw error;
  }
}
