/** Runs `stop` once on the first SIGINT or SIGTERM, then exits with its result. */
export function onTerminationSignal(stop: (signal: NodeJS.Signals) => Promise<number>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      (code) => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
