import { createServer } from 'node:http';

/** Accepts OTLP/HTTP exports and drops them: the benchmark's stand-in for a collector. */
const [port = '0'] = process.argv.slice(2);
let exports = 0;
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
}).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => {
  process.stderr.write(`otlp-sink: ${exports} exports received\n`);
  process.exit(0);
});
