import { Agent, createServer, request } from 'node:http';

/**
 * The baseline of the benchmark: the least a node:http reverse proxy can do (keep-alive pool,
 * prefix rewrite, stream both ways), with no metrics, auth, tracing or header hygiene.
 * Usage: node dist/bench/bare-proxy.js PORT UPSTREAM_PORT FROM_PREFIX TO_PREFIX [EXTRA_CPU_US]
 *
 * EXTRA_CPU_US makes it spin that long on every request: a proxy that costs exactly that much
 * more CPU and nothing else, to tell what extra CPU alone does to latency on this machine. A
 * parent with a message channel may change it while it runs: { extraCpuMicros: number }.
 */
const [port = '0', upstreamPort = '0', from = '', to = '', extraCpuMicros = '0'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
let extraMicros = Number(extraCpuMicros);
process.on('message', (message: { extraCpuMicros?: unknown }) => {
  if (typeof message.extraCpuMicros === 'number') extraMicros = message.extraCpuMicros;
});

createServer((req, res) => {
  if (extraMicros > 0) spin(extraMicros);
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

/** Burns `micros` of this process's CPU time (not wall time, which a preempted spin would count). */
function spin(micros: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= micros) return;
  }
}
