import { JsonReceiver } from './json-receiver.js';

/** Alertmanager's webhook payload (version 4), the parts the tests read. */
export interface WebhookPayload {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: readonly { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string }[];
}

/** Records every Alertmanager webhook delivery it receives. */
export class WebhookReceiver {
  private constructor(
    private readonly server: JsonReceiver,
    readonly payloads: WebhookPayload[],
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const payloads: WebhookPayload[] = [];
    return new WebhookReceiver(await JsonReceiver.start((_path, body) => payloads.push(body as WebhookPayload)), payloads);
  }

  get url(): string {
    return `${this.server.origin}/alerts`;
  }

  alerts(): WebhookPayload['alerts'][number][] {
    return this.payloads.flatMap((payload) => payload.alerts);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
