import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../../src/catalog/index.js';
import { RouteTable } from '../../../src/gateway/route-table.js';

const table = new RouteTable(parseCatalog(readFileSync('slo/catalog.yaml', 'utf8'), 'slo/catalog.yaml'));

describe('the compiled route table', () => {
  it.each([
    ['/api/airtable/bases/app1/tables/Tasks/records', '', 'airtable-domain', '/api/airtable/bases/{baseId}/tables/{table}/records', '/api/v1/airtable/bases/app1/tables/Tasks/records'],
    ['/api/airtable', '?a=1', 'airtable-domain', '/api/airtable', '/api/v1/airtable?a=1'],
    ['/api/airtable/unknown/thing', '', 'airtable-domain', '/api/airtable/*', '/api/v1/airtable/unknown/thing'],
    ['/api/chat', '', 'ai-domain', '/api/chat', '/api/chat'],
    ['/api/sessions/abc', '', 'ai-domain', '/api/sessions/{sessionId}', '/api/sessions/abc'],
    ['/api/auth/login', '', 'auth', '/api/auth/login', '/api/auth/login'],
    ['/api/files/f-1', '?bytes=5', 'automation-domain', '/api/files/{fileId}', '/api/files/f-1?bytes=5'],
  ])('%s%s -> %s as %s, upstream %s', (path, query, service, template, upstreamPath) => {
    expect(table.match(path, query)).toMatchObject({ service: { id: service }, template, upstreamPath });
  });

  it.each(['/api/airtablex', '/api', '/', '/api/unknown', '/health'])('does not route %s', (path) => {
    expect(table.match(path, '')).toBeUndefined();
  });

  it('never puts a raw id into the route label', () => {
    expect(table.match('/api/workspaces/ws-1/members/extra', '')?.template).toBe('/api/workspaces/*');
    expect(table.match('/api/workspaces/ws-1/', '')?.template).toBe('/api/workspaces/*');
  });
});
