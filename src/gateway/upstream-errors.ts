/** The upstream did not answer (or stalled) within its timeout. */
export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** The client went away; the upstream call was cancelled and says nothing about upstream health. */
export class ClientAbortedError extends Error {
  override name = 'ClientAbortedError';
}

/**
 * Connection-level failures: the upstream refused or dropped the connection (undici reports a
 * dropped keep-alive connection as UND_ERR_SOCKET). Only bodiless idempotent requests are retried.
 */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export function isConnectionFailure(error: Error): boolean {
  return RETRYABLE_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

/** The upstream already has as many calls in flight as its concurrency limit allows. */
export class UpstreamSaturatedError extends Error {
  override name = 'UpstreamSaturatedError';
  constructor(readonly limit: number) {
    super(`${limit} calls already in flight`);
  }
}
