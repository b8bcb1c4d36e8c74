import { createHash } from 'node:crypto';
import { Router } from '../router.js';
import { badRequest, isRecord, type EndpointContext } from './context.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The auth service: login and refresh issue tokens signed with the local run's keys. */
export function authEndpoints({ tokens }: EndpointContext): Router {
  const jwks = () => ({ status: 200, body: tokens.jwks(), headers: { 'cache-control': 'max-age=300' } });
  return new Router()
    .on('POST', '/api/auth/login', async (request) => {
      const body = await request.json();
      if (!isRecord(body) || typeof body.email !== 'string' || !EMAIL.test(body.email) || typeof body.password !== 'string') {
        return badRequest('body must be {"email": "...", "password": "..."}');
      }
      if (body.password.length < 8) return { status: 401, body: { error: 'invalid_credentials', message: 'email or password is wrong' } };
      const algorithm = body.algorithm === 'ES256' ? 'ES256' : 'HS256';
      return { status: 200, body: await tokens.issuePair(userIdFor(body.email), tenantFor(body.email), algorithm) };
    })
    .on('POST', '/api/auth/refresh', async (request) => {
      const body = await request.json();
      if (!isRecord(body) || typeof body.refresh_token !== 'string') return badRequest('body must be {"refresh_token": "..."}');
      const refreshed = await tokens.refresh(body.refresh_token);
      return refreshed ? { status: 200, body: refreshed } : { status: 401, body: { error: 'invalid_token', message: 'refresh token is invalid or expired' } };
    })
    .on('GET', '/.well-known/jwks.json', jwks)
    .on('GET', '/api/auth/.well-known/jwks.json', jwks);
}

export function userEndpoints(): Router {
  return new Router()
    .on('GET', '/api/users/me', ({ headers }) => {
      const subject = headers['x-authenticated-subject'];
      return { status: 200, body: { id: typeof subject === 'string' ? subject : 'anonymous', tenant: headers['x-authenticated-tenant'] ?? null, plan: 'team' } };
    })
    .on('GET', '/api/users/:userId', ({ params }) => ({ status: 200, body: { id: params.userId, name: `User ${params.userId}`, active: true } }));
}

export function workspaceEndpoints(): Router {
  const workspace = (id: string) => ({ id, name: `Workspace ${id}`, members: 5, bases: 3 });
  return new Router()
    .on('GET', '/api/workspaces', () => ({ status: 200, body: { workspaces: [workspace('ws-ops'), workspace('ws-sales')] } }))
    .on('POST', '/api/workspaces', async (request) => {
      const body = await request.json();
      if (!isRecord(body) || typeof body.name !== 'string') return badRequest('body must be {"name": "..."}');
      return { status: 201, body: { ...workspace(`ws-${body.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`), name: body.name } };
    })
    .on('GET', '/api/workspaces/:workspaceId', ({ params }) => ({ status: 200, body: workspace(params.workspaceId ?? '') }))
    .on('GET', '/api/workspaces/:workspaceId/members', ({ params }) => ({
      status: 200,
      body: { workspaceId: params.workspaceId, members: [{ userId: 'u-1', role: 'owner' }, { userId: 'u-2', role: 'editor' }] },
    }));
}

export function permissionEndpoints(): Router {
  return new Router().on('POST', '/api/permissions/check', async (request) => {
    const body = await request.json();
    if (!isRecord(body) || typeof body.action !== 'string' || typeof body.resource !== 'string') {
      return badRequest('body must be {"subject": "...", "resource": "...", "action": "read|write|admin"}');
    }
    return { status: 200, body: { allowed: body.action !== 'admin', resource: body.resource, action: body.action } };
  });
}

function userIdFor(email: string): string {
  return `u-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12)}`;
}

function tenantFor(email: string): string {
  return `t-${(email.split('@')[1] ?? 'default').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}
