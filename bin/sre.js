#!/usr/bin/env node
// Entry point for `npx sre`; the CLI itself is compiled from src/cli by `npm run build`.
import('../dist/cli/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('sre: not built yet; run `npm run build` (or scripts/setup) first\n');
    process.exit(2);
  }
  throw error;
});
