import { createHash, randomUUID } from 'node:crypto';
import { Router } from '../router.js';
import { badRequest, isRecord, notFound } from './context.js';

interface Workflow {
  readonly id: string;
  readonly name: string;
  readonly trigger: string;
  runs: number;
}

const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;

/** Workflows, their runs, and file upload/download (which exercise streaming through the gateway). */
export function automationEndpoints(): Router {
  const workflows = new Map<string, Workflow>([
    ['wf-sync-crm', { id: 'wf-sync-crm', name: 'Sync CRM', trigger: 'schedule', runs: 0 }],
    ['wf-notify', { id: 'wf-notify', name: 'Notify on change', trigger: 'webhook', runs: 0 }],
  ]);

  return new Router()
    .on('GET', '/api/workflows', () => ({ status: 200, body: { workflows: [...workflows.values()] } }))
    .on('POST', '/api/workflows', async (request) => {
      const body = await request.json();
      if (!isRecord(body) || typeof body.name !== 'string') return badRequest('body must be {"name": "...", "trigger": "..."}');
      const workflow: Workflow = { id: `wf-${randomUUID().slice(0, 8)}`, name: body.name, trigger: typeof body.trigger === 'string' ? body.trigger : 'manual', runs: 0 };
      workflows.set(workflow.id, workflow);
      return { status: 201, body: workflow };
    })
    .on('GET', '/api/workflows/:workflowId', ({ params }) => {
      const workflow = workflows.get(params.workflowId ?? '');
      return workflow ? { status: 200, body: workflow } : notFound('workflow', params.workflowId ?? '');
    })
    .on('POST', '/api/workflows/:workflowId/runs', ({ params }) => {
      const workflow = workflows.get(params.workflowId ?? '');
      if (!workflow) return notFound('workflow', params.workflowId ?? '');
      workflow.runs += 1;
      return { status: 202, body: { runId: randomUUID(), workflowId: workflow.id, status: 'queued' } };
    })
    .on('POST', '/api/files', async ({ raw }) => {
      // Hash the upload as it streams in: the gateway must pass bodies through without buffering.
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of raw) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      return { status: 201, body: { fileId: randomUUID(), bytes, sha256: hash.digest('hex') } };
    })
    .on('GET', '/api/files/:fileId', ({ query }) => {
      const size = Math.min(Math.max(Number(query.get('bytes') ?? '1024') || 0, 0), MAX_DOWNLOAD_BYTES);
      const chunkDelayMs = Math.min(Number(query.get('chunk_delay_ms') ?? '0') || 0, 1_000);
      // A download that breaks off after this many bytes: what a proxy sees when an upstream dies mid-body.
      const failAfter = query.has('fail_after_bytes') ? Math.max(Number(query.get('fail_after_bytes')) || 0, 0) : undefined;
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, stream: fileChunks(size, chunkDelayMs, failAfter) };
    })
    .on('GET', '/api/automation/status', () => ({ status: 200, body: { queues: { default: 0, notifications: 0 }, workers: 4 } }));
}

async function* fileChunks(size: number, chunkDelayMs: number, failAfter: number | undefined): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < size; sent += chunk.length) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error(`download broken off after ${sent} bytes, as asked`);
    if (chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
    yield chunk.subarray(0, Math.min(chunk.length, size - sent));
  }
}
