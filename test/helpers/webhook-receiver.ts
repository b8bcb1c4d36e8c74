import { createServer, type Server } from 'node:http';

/** Alertmanager's webhook payload (version 4), the parts the tests read. */
export interface WebhookPayload {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: readonly { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string }[];
}

/** Records every Alertmanager webhook delivery it receives. */
export class WebhookReceiver {
  readonly payloads: WebhookPayload[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        receiver.payloads.push(JSON.parse(body) as WebhookPayload);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/alerts`;
  }

  alerts(): WebhookPayload['alerts'][number][] {
    return this.payloads.flatMap((payload) => payload.alerts);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => { resolve(); }));
  }
}
