import { randomUUID } from 'node:crypto';
import { Router } from '../router.js';
import { badRequest, isRecord, notFound } from './context.js';

/** Chat completions (optionally streamed as server-sent events), tools and sessions. */
export function aiEndpoints(): Router {
  const sessions = new Map<string, { id: string; createdAt: string; messages: number }>();

  const chat = async (request: Parameters<Parameters<Router['on']>[2]>[0]) => {
    const body = await request.json();
    if (!isRecord(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
      return badRequest('body must be {"messages": [{"role": "user", "content": "..."}], "stream": false}');
    }
    const answer = `Simulated answer to ${body.messages.length} message(s).`;
    if (body.stream === true) {
      return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, stream: sseTokens(answer) };
    }
    return {
      status: 200,
      body: { id: `chatcmpl-${randomUUID()}`, model: 'sim-llm-1', choices: [{ index: 0, message: { role: 'assistant', content: answer } }], usage: { prompt_tokens: 12, completion_tokens: 7 } },
    };
  };

  return new Router()
    .on('POST', '/api/chat', chat)
    .on('POST', '/api/llm/completions', chat)
    .on('GET', '/api/tools', () => ({ status: 200, body: { tools: [{ name: 'list_records', description: 'List records of a table' }, { name: 'create_record', description: 'Create a record' }] } }))
    .on('POST', '/api/mcp/tools/:tool/call', ({ params }) => ({ status: 200, body: { tool: params.tool, result: { ok: true } } }))
    .on('POST', '/api/sessions', () => {
      const session = { id: randomUUID(), createdAt: new Date().toISOString(), messages: 0 };
      sessions.set(session.id, session);
      return { status: 201, body: session };
    })
    .on('GET', '/api/sessions/:sessionId', ({ params }) => {
      const session = sessions.get(params.sessionId ?? '');
      return session ? { status: 200, body: session } : notFound('session', params.sessionId ?? '');
    })
    .on('GET', '/api/ai/models', () => ({ status: 200, body: { models: [{ id: 'sim-llm-1', context_window: 128000 }] } }));
}

async function* sseTokens(answer: string): AsyncGenerator<string> {
  for (const word of answer.split(' ')) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield `data: ${JSON.stringify({ delta: `${word} ` })}\n\n`;
  }
  yield 'data: [DONE]\n\n';
}
