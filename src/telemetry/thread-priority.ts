import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority to `nice` (0 is the default, 19 the lowest),
 * for background work that should yield to the threads serving requests. Linux keeps a nice
 * value per thread, and setpriority(2) given a thread's id changes that thread alone;
 * /proc/thread-self names the caller's id, which Node does not expose otherwise. Lowering a
 * priority needs no privilege.
 *
 * @returns the thread's id, or undefined where threads cannot be addressed this way (not Linux)
 */
export function lowerThisThreadsPriority(nice: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
  if (!Number.isInteger(threadId) || threadId <= 0) throw new Error(`/proc/thread-self did not name a thread id (read ${threadId})`);
  setPriority(threadId, nice);
  return threadId;
}
