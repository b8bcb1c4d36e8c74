import fastifyHttpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';

/**
 * The reference proxy of the benchmark: fastify with @fastify/http-proxy, default settings.
 * Usage: node dist-bench/bench/fastify-proxy.js PORT UPSTREAM_PORT FROM_PREFIX TO_PREFIX
 */
const [port = '0', upstreamPort = '0', from = '', to = ''] = process.argv.slice(2);
const app = Fastify({ logger: false });
await app.register(fastifyHttpProxy, { upstream: `http://127.0.0.1:${upstreamPort}`, prefix: from, rewritePrefix: to });
await app.listen({ port: Number(port), host: '127.0.0.1' });
