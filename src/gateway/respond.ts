import type { ServerResponse } from 'node:http';

/** Every error the gateway itself produces is JSON with a stable `error` code and a plain message. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  extra: Readonly<Record<string, unknown>> = {},
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error, message, ...extra });
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
