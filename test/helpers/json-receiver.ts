import { createServer, type Server } from 'node:http';

/**
 * An HTTP server on a free loopback port that hands every request's JSON body to `accept` and
 * answers 200 with `reply`: what the test receivers of webhooks and OTLP exports have in common.
 */
export class JsonReceiver {
  private constructor(private readonly server: Server) {}

  static async start(accept: (path: string, body: unknown) => void, reply = ''): Promise<JsonReceiver> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        accept(req.url ?? '/', JSON.parse(body));
        res.writeHead(200, reply ? { 'content-type': 'application/json' } : {}).end(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new JsonReceiver(server);
  }

  /** `http://127.0.0.1:<port>`, without a path. */
  get origin(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => { resolve(); }));
  }
}
