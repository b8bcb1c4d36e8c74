import type { IncomingHttpHeaders } from 'node:http';

export interface LoggedRequest {
  readonly at: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface Entry {
  readonly atMs: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'cookie']);

/**
 * The last requests each simulated service received, so tests and operators can see what the
 * gateway forwarded (traceparent, X-Forwarded-*, stripped headers). Credentials are shown only as
 * present, never by value. Recording keeps references and formats on reading: the simulator shares
 * the machine with what it serves, and benchmarks must not pay for a log nobody reads.
 */
export class RequestLog {
  private readonly entries: (Entry | undefined)[];
  private next = 0;

  constructor(private readonly capacity = 500) {
    this.entries = new Array<Entry | undefined>(capacity);
  }

  record(method: string, url: string, headers: IncomingHttpHeaders): void {
    this.entries[this.next] = { atMs: Date.now(), method, url, headers };
    this.next = (this.next + 1) % this.capacity;
  }

  recent(limit: number): LoggedRequest[] {
    const ordered = [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)].filter((entry) => entry !== undefined);
    return ordered.slice(-limit).map(format);
  }

  clear(): void {
    this.entries.fill(undefined);
    this.next = 0;
  }
}

function format(entry: Entry): LoggedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers)) {
    if (value === undefined) continue;
    headers[name] = CREDENTIAL_HEADERS.has(name) ? '[present]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return { at: new Date(entry.atMs).toISOString(), method: entry.method, url: entry.url, headers };
}
