import { Agent, createServer, request } from 'node:http';

/**
 * The baseline of the benchmark: the least a node:http reverse proxy can do (keep-alive pool,
 * prefix rewrite, stream both ways), with no metrics, auth, tracing or header hygiene.
 * Usage: node dist-bench/bench/bare-proxy.js PORT UPSTREAM_PORT FROM_PREFIX TO_PREFIX
 */
const [port = '0', upstreamPort = '0', from = '', to = ''] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

createServer((req, res) => {
  const path = (req.url ?? '/').replace(from, to);
  const upstream = request({ agent, host: '127.0.0.1', port: Number(upstreamPort), method: req.method, path, headers: req.headers }, (response) => {
    res.writeHead(response.statusCode ?? 502, response.headers);
    response.pipe(res);
  });
  upstream.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(upstream);
}).listen(Number(port), '127.0.0.1');

