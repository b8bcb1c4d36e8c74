import { readJournal, writeJournal } from './journal.js';
import { describeUndo, undo } from './providers.js';

/**
 * Undoes every injection of a journal not yet rolled back, newest first, and records it: what
 * `sre chaos rollback` does after a run was killed. Safe to repeat.
 */
export async function rollbackJournal(file: string, log: (line: string) => void): Promise<number> {
  const journal = readJournal(file);
  let undone = 0;
  for (const injection of [...journal.injections].reverse()) {
    if (injection.rolled_back_at !== null) continue;
    await undo(injection.undo);
    injection.rolled_back_at = new Date().toISOString();
    undone++;
    log(`rolled back: ${describeUndo(injection.undo)} (${journal.experiment.title})`);
  }
  if (journal.status === 'running') {
    journal.status = 'rolled back';
    journal.reasons = [...journal.reasons, 'the run ended without rolling back; sre chaos rollback did'];
  }
  writeJournal(file, journal);
  return undone;
}
