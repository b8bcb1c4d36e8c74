import type { Router } from '../router.js';
import { aiEndpoints } from './ai.js';
import { airtableEndpoints } from './airtable.js';
import { automationEndpoints } from './automation.js';
import type { EndpointContext } from './context.js';
import { authEndpoints, permissionEndpoints, userEndpoints, workspaceEndpoints } from './identity.js';

export type { EndpointContext } from './context.js';

/** The endpoints a simulated service serves, chosen by the catalog's `kind`. */
export function endpointsFor(context: EndpointContext): Router {
  switch (context.service.kind) {
    case 'airtable':
      return airtableEndpoints();
    case 'automation':
      return automationEndpoints();
    case 'ai':
      return aiEndpoints();
    case 'auth':
      return authEndpoints(context);
    case 'user':
      return userEndpoints();
    case 'workspace':
      return workspaceEndpoints();
    case 'permission':
      return permissionEndpoints();
  }
}
