import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { ClientAbortedError } from './upstream-errors.js';

/**
 * Lets the proxy cancel an upstream call when its client goes away, whichever attempt (retries
 * make several) is running at the time. A plain object, not an EventEmitter or AbortController:
 * one is made per proxied request.
 */
export class CallCancellation {
  private reason: ClientAbortedError | undefined;
  private abortRunning: ((reason: Error) => void) | undefined;

  cancel(): void {
    if (this.reason !== undefined) return;
    this.reason = new ClientAbortedError('client closed the connection');
    this.abortRunning?.(this.reason);
  }

  /**
   * The running attempt registers how to abort it, and is aborted at once if the client is
   * already gone; undefined once the attempt can no longer be aborted.
   */
  track(abort: ((reason: Error) => void) | undefined): void {
    this.abortRunning = abort;
    if (this.reason !== undefined) abort?.(this.reason);
  }
}

/**
 * One upstream call as an undici dispatch handler. It resolves when the response head arrives
 * and then streams the body straight into the client's response with backpressure, so the hot
 * path builds no intermediate Readable, no pipe and no promise per chunk (undici's request()
 * API does all three). Body bytes that arrive before the proxy has written the head, usually
 * the whole of a small body in the same packet, are held until then.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: IncomingHttpHeaders = {};
  private started = false;
  private finished = false;
  private held: Buffer[] | undefined;
  private failure: Error | undefined;
  private target: ServerResponse | undefined;
  private onBodyFailure: ((error: Error) => void) | undefined;

  constructor(
    private readonly resolve: (exchange: UpstreamExchange) => void,
    private readonly reject: (error: Error) => void,
    private readonly cancellation: CallCancellation,
    /** Called once, when the call ends either way: the connection is free again. */
    private readonly release: () => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.cancellation.track((reason) => {
      if (!this.finished) controller.abort(reason);
    });
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx answers are interim: the final head follows.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
    this.started = true;
    this.resolve(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const target = this.target;
    if (target === undefined) {
      (this.held ??= []).push(chunk);
      return;
    }
    if (!target.write(chunk)) {
      controller.pause();
      target.once('drain', () => {
        controller.resume();
      });
    }
  }

  onResponseEnd(): void {
    this.finish();
    this.target?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish();
    if (!this.started) {
      this.reject(error);
      return;
    }
    if (this.onBodyFailure === undefined) this.failure = error;
    else this.onBodyFailure(error);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.cancellation.track(undefined);
    this.release();
  }

  /** Streams the body into `res` (whose head the caller has written); `onFailure` if it breaks off. */
  pipeTo(res: ServerResponse, onFailure: (error: Error) => void): void {
    this.target = res;
    this.onBodyFailure = onFailure;
    const held = this.held ?? [];
    this.held = undefined;
    // With the whole body here (usually one chunk), end() takes the last chunk: head and body
    // leave in one write, with no cork held open until the next tick.
    const last = this.finished && this.failure === undefined ? held.pop() : undefined;
    for (const chunk of held) res.write(chunk);
    if (this.failure !== undefined) onFailure(this.failure);
    else if (this.finished) res.end(last);
  }
}
