export { loadCatalog, parseCatalog, DEFAULT_CATALOG_PATH } from './load.js';
export { CatalogError, formatProblem, type CatalogProblem } from './errors.js';
export { parseHostPort, type Catalog, type Service, type Slo, type HostPort } from './model.js';
export type { RouteSpec, ResilienceSpec, GatewaySpec } from './schema.js';
export { parseDuration, formatDuration } from './duration.js';
