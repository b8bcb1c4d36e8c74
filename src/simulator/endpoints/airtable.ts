import { randomUUID } from 'node:crypto';
import { Router } from '../router.js';
import { badRequest, isRecord, notFound } from './context.js';

const PREFIX = '/api/v1/airtable';

interface RecordRow {
  readonly id: string;
  readonly createdTime: string;
  fields: Record<string, unknown>;
}

/** Bases, tables and records, shaped like Airtable's REST API. */
export function airtableEndpoints(): Router {
  const records = new Map<string, RecordRow>();
  for (let index = 0; index < 200; index++) {
    const id = `rec${index.toString().padStart(14, '0')}`;
    records.set(id, { id, createdTime: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(), fields: { Name: `Row ${index}`, Status: index % 3 === 0 ? 'Done' : 'Open' } });
  }

  return new Router()
    .on('GET', `${PREFIX}/bases`, () => ({
      status: 200,
      body: { bases: [{ id: 'appPyAirtable0001', name: 'Operations', permissionLevel: 'create' }, { id: 'appPyAirtable0002', name: 'CRM', permissionLevel: 'edit' }] },
    }))
    .on('GET', `${PREFIX}/bases/:baseId/tables`, ({ params }) => ({
      status: 200,
      body: { baseId: params.baseId, tables: [{ id: 'tblTasks', name: 'Tasks', primaryFieldId: 'fldName' }, { id: 'tblPeople', name: 'People', primaryFieldId: 'fldName' }] },
    }))
    .on('GET', `${PREFIX}/bases/:baseId/tables/:table/records`, ({ query }) => {
      const pageSize = Math.min(Number(query.get('pageSize') ?? '20') || 20, 100);
      const offset = Math.max(Number(query.get('offset') ?? '0') || 0, 0);
      const page = [...records.values()].slice(offset, offset + pageSize);
      const next = offset + pageSize < records.size ? String(offset + pageSize) : undefined;
      return { status: 200, body: { records: page, ...(next ? { offset: next } : {}) } };
    })
    .on('POST', `${PREFIX}/bases/:baseId/tables/:table/records`, async (request) => {
      const body = await request.json();
      if (!isRecord(body) || !isRecord(body.fields)) return badRequest('body must be {"fields": {...}}');
      const row: RecordRow = { id: `rec${randomUUID().replace(/-/g, '').slice(0, 14)}`, createdTime: new Date().toISOString(), fields: body.fields };
      records.set(row.id, row);
      return { status: 201, body: row };
    })
    .on('GET', `${PREFIX}/bases/:baseId/tables/:table/records/:recordId`, ({ params }) => {
      const row = records.get(params.recordId ?? '');
      return row ? { status: 200, body: row } : notFound('record', params.recordId ?? '');
    })
    .on('PATCH', `${PREFIX}/bases/:baseId/tables/:table/records/:recordId`, async (request) => {
      const row = records.get(request.params.recordId ?? '');
      if (!row) return notFound('record', request.params.recordId ?? '');
      const body = await request.json();
      if (!isRecord(body) || !isRecord(body.fields)) return badRequest('body must be {"fields": {...}}');
      row.fields = { ...row.fields, ...body.fields };
      return { status: 200, body: row };
    })
    .on('DELETE', `${PREFIX}/bases/:baseId/tables/:table/records/:recordId`, ({ params }) =>
      records.delete(params.recordId ?? '') ? { status: 200, body: { id: params.recordId, deleted: true } } : notFound('record', params.recordId ?? ''),
    )
    .on('GET', `${PREFIX}/reports/:reportId`, ({ params }) => ({
      status: 200,
      body: { id: params.reportId, generatedAt: new Date().toISOString(), rows: records.size, done: [...records.values()].filter((r) => r.fields.Status === 'Done').length },
    }))
    .on('GET', `${PREFIX}/ping`, () => ({ status: 200, body: { ok: true } }));
}
