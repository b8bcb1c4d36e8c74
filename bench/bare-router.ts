import { Agent, createServer, request } from 'node:http';
import { loadCatalog } from '../src/catalog/index.js';

/**
 * The bare baseline of the knee: every catalog route prefix forwarded to its service with the
 * least a node:http reverse proxy can do (keep-alive pool, prefix rewrite, stream both ways), no
 * auth, limits, metrics or tracing. Usage: node dist-bench/bench/bare-router.js CATALOG PORT
 */
const [catalogFile = 'slo/catalog.yaml', port = '0'] = process.argv.slice(2);
const catalog = loadCatalog(catalogFile);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const routes = catalog.services
  .flatMap((service) => service.routes.map((route) => ({ prefix: route.prefix, rewrite: route.upstream_prefix, host: service.upstreamHost, port: service.upstreamPort })))
  .sort((a, b) => b.prefix.length - a.prefix.length);

createServer((req, res) => {
  const url = req.url ?? '/';
  const route = routes.find((r) => url === r.prefix || url.startsWith(`${r.prefix}/`) || url.startsWith(`${r.prefix}?`));
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  const path = route.rewrite === undefined ? url : route.rewrite + url.slice(route.prefix.length);
  const upstream = request({ agent, host: route.host, port: route.port, method: req.method, path, headers: req.headers }, (response) => {
    res.writeHead(response.statusCode ?? 502, response.headers);
    response.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}).listen(Number(port), '127.0.0.1');
