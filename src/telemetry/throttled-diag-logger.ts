import type { DiagLogger } from '@opentelemetry/api';
import type { Logger } from './logger.js';

/**
 * Puts the OpenTelemetry SDK's own warnings and errors (a collector that refuses or cannot be
 * reached, say) into the gateway's JSON log, each distinct message at most once a window: an
 * export fails every few seconds while a collector is down, and the log must stay readable.
 */
export class ThrottledDiagLogger implements DiagLogger {
  private readonly lastLogged = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  error(message: string, ...args: unknown[]): void {
    this.write('error', message, args);
  }

  warn(message: string, ...args: unknown[]): void {
    this.write('warn', message, args);
  }

  info(): void {
    // The SDK's chatter below warnings stays out of the gateway's log.
  }

  debug(): void {
    // As info.
  }

  verbose(): void {
    // As info.
  }

  private write(level: 'error' | 'warn', message: string, args: readonly unknown[]): void {
    const atMs = this.now();
    // Counts vary between repeats of one message ("Dropped 6272 spans because maxQueueSize reached").
    const key = message.replace(/\d+/g, '#');
    const last = this.lastLogged.get(key);
    if (last && atMs - last.atMs < this.windowMs) {
      last.suppressed++;
      return;
    }
    this.lastLogged.set(key, { atMs, suppressed: 0 });
    const detail = args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    this.log[level]({ opentelemetry: detail || undefined, suppressed_since_last: last?.suppressed }, `opentelemetry: ${readable(message)}`);
  }
}

/** The SDK's global error handler logs exceptions as JSON; their message is what a reader needs. */
function readable(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const parsed = JSON.parse(message) as { message?: unknown; code?: unknown };
    if (typeof parsed.message !== 'string') return message;
    return typeof parsed.code === 'string' && !parsed.message.includes(parsed.code) ? `${parsed.message} (${parsed.code})` : parsed.message;
  } catch {
    return message;
  }
}
