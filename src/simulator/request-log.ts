import type { IncomingHttpHeaders } from 'node:http';

export interface LoggedRequest {
  readonly at: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'cookie']);

/**
 * The last requests each simulated service received, so tests and operators can see what the
 * gateway forwarded (traceparent, X-Forwarded-*, stripped headers). Credentials are recorded only
 * as present, never by value.
 */
export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 500) {}

  record(method: string, url: string, headers: IncomingHttpHeaders): void {
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      flat[name] = CREDENTIAL_HEADERS.has(name) ? '[present]' : Array.isArray(value) ? value.join(', ') : value;
    }
    this.entries.push({ at: new Date().toISOString(), method, url, headers: flat });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  recent(limit: number): LoggedRequest[] {
    return this.entries.slice(-limit);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
