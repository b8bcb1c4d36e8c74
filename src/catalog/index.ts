export { loadCatalog, parseCatalog, DEFAULT_CATALOG_PATH } from './load.js';
export { CatalogError } from './errors.js';
export { acknowledgementObjective, acknowledgementTargetSeconds, controlPlaneAddress, isGatewaySlo, parseHostPort, type Catalog, type Service, type Slo } from './model.js';
export type { RouteSpec, GatewaySpec } from './schema.js';
export { parseDuration, formatDuration } from './duration.js';
