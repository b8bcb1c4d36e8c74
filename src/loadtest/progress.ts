import type { Recorder } from './recorder.js';

/**
 * The live line of a run: rewritten in place every second on a terminal; in a log (CI), one plain
 * line every ten seconds.
 */
export class Progress {
  private lastLine = 0;

  constructor(
    private readonly label: string,
    private readonly totalMs: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(recorder: Recorder, elapsedMs: number): void {
    const tty = this.out.isTTY;
    if (!tty && elapsedMs - this.lastLine < 10_000) return;
    this.lastLine = elapsedMs;
    const last = recorder.timeline.slice(-5);
    const requests = last.reduce((sum, s) => sum + s.requests, 0);
    const failures = last.reduce((sum, s) => sum + s.failures, 0);
    const p95 = last.at(-1)?.p95Ms;
    const line = [
      `${this.label} ${clock(elapsedMs)}/${clock(this.totalMs)}`,
      `${(requests / Math.max(1, last.length)).toFixed(1)} req/s`,
      `p95 ${p95 === undefined ? '-' : `${p95.toFixed(1)} ms`}`,
      `failed ${requests > 0 ? ((100 * failures) / requests).toFixed(2) : '0.00'} %`,
      `${recorder.all.requests} requests${recorder.dropped > 0 ? `, ${recorder.dropped} dropped` : ''}`,
      `${clock(Math.max(0, this.totalMs - elapsedMs))} left`,
    ].join(' · ');
    this.out.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}

function clock(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const mmss = `${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}
