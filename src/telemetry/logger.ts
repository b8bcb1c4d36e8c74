import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr (stdout stays free for a command's own output). Secrets are redacted by
 * path as a second line of defence; the first is never to log them.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.authorization', '*.["x-api-key"]', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
